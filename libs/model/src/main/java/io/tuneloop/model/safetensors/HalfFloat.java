package io.tuneloop.model.safetensors;

/**
 * IEEE 754 half precision and bfloat16 conversions (Java 17 has no {@code Float.float16ToFloat}).
 * Narrowing rounds to nearest, ties to even, as PyTorch does.
 */
final class HalfFloat {
    private HalfFloat() {
    }

    static float toFloat(short half) {
        int h = half & 0xFFFF;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1F;
        int mantissa = h & 0x3FF;
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign); // signed zero
            }
            // subnormal: mantissa * 2^-24
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        if (exponent == 0x1F) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mantissa << 13)); // inf or NaN
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    static short toHalf(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int exponent = ((bits >>> 23) & 0xFF) - 127 + 15;
        int mantissa = bits & 0x7FFFFF;
        if (((bits >>> 23) & 0xFF) == 0xFF) {
            return (short) (sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0)); // inf or NaN
        }
        if (exponent >= 0x1F) {
            return (short) (sign | 0x7C00); // overflow to infinity
        }
        if (exponent <= 0) {
            if (exponent < -10) {
                return (short) sign; // underflow to zero
            }
            // subnormal half: shift the implicit-one mantissa right, rounding to nearest even
            int full = mantissa | 0x800000;
            int shift = 14 - exponent;
            int rounded = full >>> shift;
            int remainder = full & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (remainder > halfway || (remainder == halfway && (rounded & 1) == 1)) {
                rounded++;
            }
            return (short) (sign | rounded);
        }
        int rounded = (exponent << 10) | (mantissa >>> 13);
        int remainder = mantissa & 0x1FFF;
        if (remainder > 0x1000 || (remainder == 0x1000 && (rounded & 1) == 1)) {
            rounded++; // may carry into the exponent, which is the correct result
        }
        return (short) (sign | rounded);
    }

    static short toBFloat16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7FFF + lsb) >>> 16);
    }
}
