package io.tuneloop.model.safetensors;

/** Element types of safetensors files that tuneloop reads; names as in the file header. */
public enum DType {
    F32(4), F16(2), BF16(2), I64(8), I32(4);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloat() {
        return this == F32 || this == F16 || this == BF16;
    }

    /** config.json's torch_dtype name of a float type. */
    public String torchName() {
        return switch (this) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            case F32 -> "float32";
            default -> throw new IllegalArgumentException(this + " is not a weight dtype");
        };
    }

    /** The float type config.json's torch_dtype names (float32 for anything else, e.g. "auto"). */
    public static DType ofTorchName(String torchDtype) {
        return switch (torchDtype == null ? "" : torchDtype) {
            case "bfloat16" -> BF16;
            case "float16", "half" -> F16;
            default -> F32;
        };
    }

    public static DType parse(String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new SafetensorsException("unsupported dtype " + name + " (supported: F32, F16, BF16, I64, I32)");
        }
    }
}
