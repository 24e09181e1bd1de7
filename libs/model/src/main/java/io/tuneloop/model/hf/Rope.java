package io.tuneloop.model.hf;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;

/**
 * Rotary position embedding settings of a Llama-family config, read from transformers 4.x
 * ({@code rope_theta} + {@code rope_scaling}) or 5.x ({@code rope_parameters}, which holds
 * {@code rope_theta}) layouts, with the inverse frequencies and attention scaling transformers
 * computes for each {@code rope_type}: default, linear, dynamic (NTK), llama3 and yarn. Other types
 * are refused by name.
 *
 * @param type                   default, linear, dynamic, llama3 or yarn
 * @param theta                  the rotary base
 * @param factor                 scaling factor (1 for default)
 * @param lowFreqFactor          llama3
 * @param highFreqFactor         llama3
 * @param originalMaxPositions   llama3/yarn: the context the model was pretrained with
 * @param maxPositions           max_position_embeddings (dynamic scales beyond it; yarn's fallback)
 * @param attentionFactor        yarn: explicit attention factor, or NaN for the computed one
 * @param betaFast               yarn
 * @param betaSlow               yarn
 * @param mscale                 yarn (DeepSeek-style), 0 when unset
 * @param mscaleAllDim           yarn (DeepSeek-style), 0 when unset
 * @param truncate               yarn: round the correction range to whole dimensions
 */
public record Rope(String type, double theta, double factor, double lowFreqFactor, double highFreqFactor,
                   int originalMaxPositions, int maxPositions, double attentionFactor, double betaFast,
                   double betaSlow, double mscale, double mscaleAllDim, boolean truncate) {
    private static final Set<String> TYPES = Set.of("default", "linear", "dynamic", "llama3", "yarn");
    private static final Set<String> KNOWN_KEYS = Set.of("rope_type", "type", "rope_theta", "factor", "low_freq_factor",
            "high_freq_factor", "original_max_position_embeddings", "attention_factor", "beta_fast", "beta_slow",
            "mscale", "mscale_all_dim", "truncate");

    public Rope {
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("unsupported rope_type '" + type + "': tuneloop implements "
                    + "default, linear, dynamic, llama3 and yarn");
        }
        if (theta <= 0 || factor <= 0) {
            throw new IllegalArgumentException("rope_theta and the rope factor must be > 0");
        }
    }

    /** Plain RoPE with base {@code theta}. */
    public static Rope plain(double theta, int maxPositions) {
        return new Rope("default", theta, 1, 0, 0, maxPositions, maxPositions, Double.NaN, 32, 1, 0, 0, true);
    }

    /**
     * Reads the rope settings of a config.json: transformers 5's {@code rope_parameters} or 4's
     * {@code rope_scaling} (a non-empty rope_scaling wins, as in 5.x); {@code type} and
     * {@code rope_type} must agree; a key this implementation does not know is refused by name.
     */
    public static Rope fromConfig(JsonNode config, int maxPositions) {
        JsonNode scaling = config.path("rope_scaling");
        JsonNode parameters = config.path("rope_parameters");
        JsonNode source = scaling.isObject() && !scaling.isEmpty() ? scaling
                : parameters.isObject() ? parameters : null;
        if (!scaling.isMissingNode() && !scaling.isNull() && !scaling.isObject()) {
            throw new IllegalArgumentException("rope_scaling must be an object or null");
        }
        double topTheta = config.path("rope_theta").isNumber() ? config.get("rope_theta").asDouble() : 10000.0;
        if (source == null) {
            return plain(topTheta, maxPositions);
        }
        source.fields().forEachRemaining(e -> {
            if (!KNOWN_KEYS.contains(e.getKey())) {
                throw new IllegalArgumentException("rope setting '" + e.getKey() + "' is not supported by tuneloop"
                        + " (it would change the positions' math)");
            }
        });
        String type = source.path("rope_type").asText(null);
        String legacy = source.path("type").asText(null);
        if (type != null && legacy != null && !type.equals(legacy)) {
            throw new IllegalArgumentException("rope settings disagree: type '" + legacy + "' and rope_type '" + type + "'");
        }
        type = type != null ? type : legacy != null ? legacy : "default";
        if (source == scaling && source.path("rope_theta").isNumber() && config.path("rope_theta").isNumber()
                && source.get("rope_theta").asDouble() != topTheta) {
            throw new IllegalArgumentException("rope_scaling.rope_theta and rope_theta disagree: transformers 4 reads"
                    + " the top-level one, transformers 5 the other");
        }
        double theta = source.path("rope_theta").isNumber() ? source.get("rope_theta").asDouble() : topTheta;
        double factor = source.path("factor").asDouble(1.0);
        if ((type.equals("linear") || type.equals("dynamic") || type.equals("llama3")) && !source.path("factor").isNumber()) {
            throw new IllegalArgumentException("rope_type " + type + " needs 'factor'");
        }
        int original = config.path("original_max_position_embeddings").isInt()
                ? config.get("original_max_position_embeddings").asInt()
                : source.path("original_max_position_embeddings").asInt(maxPositions);
        if (type.equals("llama3")) {
            require(source, "low_freq_factor", type);
            require(source, "high_freq_factor", type);
        }
        if (type.equals("yarn") && !source.path("factor").isNumber()) {
            factor = (double) maxPositions / original; // transformers 5: factor = max_position_embeddings / original
        }
        return new Rope(type, theta, factor, source.path("low_freq_factor").asDouble(0),
                source.path("high_freq_factor").asDouble(0), original, maxPositions,
                source.path("attention_factor").isNumber() ? source.get("attention_factor").asDouble() : Double.NaN,
                nonZero(source.path("beta_fast").asDouble(0), 32), nonZero(source.path("beta_slow").asDouble(0), 1),
                source.path("mscale").asDouble(0), source.path("mscale_all_dim").asDouble(0),
                source.path("truncate").asBoolean(true));
    }

    private static void require(JsonNode source, String key, String type) {
        if (!source.path(key).isNumber()) {
            throw new IllegalArgumentException("rope_type " + type + " needs '" + key + "'");
        }
    }

    private static double nonZero(double value, double fallback) {
        return value == 0 ? fallback : value;
    }

    /** Whether the frequencies depend on the sequence length (dynamic NTK scaling beyond max_position_embeddings). */
    public boolean dependsOnLength() {
        return type.equals("dynamic");
    }

    /**
     * inv_freq[i] for i < dim/2 as transformers computes them; {@code seqLength} is the length the
     * forward covers (max position + 1), used by dynamic scaling only.
     */
    public double[] inverseFrequencies(int dim, int seqLength) {
        double[] inv = defaults(theta, dim);
        switch (type) {
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] /= factor;
                }
            }
            case "dynamic" -> {
                if (seqLength > maxPositions) { // NTK: a larger base, as HF's _compute_dynamic_ntk_parameters
                    double base = theta * Math.pow(factor * seqLength / maxPositions - (factor - 1), (double) dim / (dim - 2));
                    inv = defaults(base, dim);
                }
            }
            case "llama3" -> {
                double lowWavelength = originalMaxPositions / lowFreqFactor;
                double highWavelength = originalMaxPositions / highFreqFactor;
                for (int i = 0; i < inv.length; i++) {
                    double wavelength = 2 * Math.PI / inv[i];
                    if (wavelength > lowWavelength) {
                        inv[i] /= factor;
                    } else if (wavelength >= highWavelength) { // between the two: interpolate smoothly
                        double smooth = (originalMaxPositions / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                        inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                    }
                }
            }
            case "yarn" -> {
                double low = correctionDimension(betaFast, dim);
                double high = correctionDimension(betaSlow, dim);
                if (truncate) {
                    low = Math.floor(low);
                    high = Math.ceil(high);
                }
                low = Math.max(low, 0);
                high = Math.min(high, dim - 1);
                if (low == high) {
                    high += 0.001;
                }
                for (int i = 0; i < inv.length; i++) {
                    double ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
                    double extrapolation = 1 - ramp;
                    double interpolated = inv[i] / factor;
                    inv[i] = interpolated * (1 - extrapolation) + inv[i] * extrapolation;
                }
            }
            default -> {
            }
        }
        return inv;
    }

    /** The factor cos and sin are multiplied by (yarn's attention temperature; 1 otherwise). */
    public double attentionScaling() {
        if (!type.equals("yarn")) {
            return 1;
        }
        if (!Double.isNaN(attentionFactor)) {
            return attentionFactor;
        }
        if (mscale != 0 && mscaleAllDim != 0) {
            return yarnMscale(factor, mscale) / yarnMscale(factor, mscaleAllDim);
        }
        return yarnMscale(factor, 1);
    }

    private static double yarnMscale(double scale, double m) {
        return scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1;
    }

    private double correctionDimension(double rotations, int dim) {
        return dim * Math.log(originalMaxPositions / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
    }

    private static double[] defaults(double base, int dim) {
        double[] inv = new double[dim / 2];
        for (int i = 0; i < inv.length; i++) {
            inv[i] = 1.0 / Math.pow(base, (2.0 * i) / dim);
        }
        return inv;
    }
}
