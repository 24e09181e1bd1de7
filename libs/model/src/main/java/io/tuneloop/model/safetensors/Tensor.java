package io.tuneloop.model.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * One named tensor as stored: its dtype, shape and little-endian bytes (row-major, as safetensors
 * and PyTorch lay them out). Half-precision tensors are widened to float32 in Java by
 * {@link #toFloat32()}: the DJL PyTorch engine cannot take BF16 (see FACTS.md).
 */
public record Tensor(String name, DType dtype, long[] shape, ByteBuffer data) {

    public Tensor {
        long expected = elementCount(shape) * dtype.bytes();
        if (data.remaining() != expected) {
            throw new SafetensorsException("tensor " + name + " " + dtype + Arrays.toString(shape) + " needs "
                    + expected + " bytes, has " + data.remaining());
        }
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static Tensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return new Tensor(name, DType.F32, shape.clone(), bytes);
    }

    public long elementCount() {
        return elementCount(shape);
    }

    static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new SafetensorsException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The values widened (or copied) to float32. */
    public float[] toFloat32() {
        int n = Math.toIntExact(elementCount());
        float[] out = new float[n];
        ByteBuffer in = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> in.asFloatBuffer().get(out);
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    // bfloat16 is the upper half of a float32
                    out[i] = Float.intBitsToFloat((in.getShort(2 * i) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloat.toFloat(in.getShort(2 * i));
                }
            }
            default -> throw new SafetensorsException("tensor " + name + " is " + dtype + ", not a float type");
        }
        return out;
    }

    /** This tensor as float32 (itself when it already is). */
    public Tensor asFloat32() {
        return dtype == DType.F32 ? this : ofFloats(name, shape, toFloat32());
    }

    /** This float tensor narrowed to {@code target} (F16 or BF16, round to nearest even), or widened to F32. */
    public Tensor convertTo(DType target) {
        if (target == dtype) {
            return this;
        }
        float[] values = toFloat32();
        if (target == DType.F32) {
            return ofFloats(name, shape, values);
        }
        ByteBuffer out = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            out.putShort(target == DType.BF16 ? HalfFloat.toBFloat16(v) : HalfFloat.toHalf(v));
        }
        out.flip();
        return new Tensor(name, target, shape.clone(), out);
    }

    public FloatBuffer floats() {
        if (dtype != DType.F32) {
            throw new SafetensorsException("tensor " + name + " is " + dtype + "; call asFloat32() first");
        }
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && data.equals(t.data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + dtype + Arrays.toString(shape) + "]";
    }
}
