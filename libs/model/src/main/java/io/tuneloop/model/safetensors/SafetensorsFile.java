package io.tuneloop.model.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw bytes. Read by memory-mapping each tensor's range (no
 * whole-file copy, so a file may exceed 2 GiB as long as each tensor does not); written with a
 * {@code __metadata__} of {@code {"format": "pt"}} and the header padded to 8 bytes, as
 * Hugging Face's writer does, so that transformers, PEFT and vLLM read our files.
 */
public final class SafetensorsFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L * 1024 * 1024;

    /** The tensors of a file, in byte order, and its metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {
    }

    private SafetensorsFile() {
    }

    public static Contents read(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException(file + " is " + size + " bytes: too short for a safetensors header");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new SafetensorsException(file + ": header length " + headerLength + " is impossible for a file of "
                        + size + " bytes (not a safetensors file?)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            channel.read(headerBytes, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(headerBytes.array(), StandardCharsets.UTF_8).trim());
            } catch (IOException e) {
                throw new SafetensorsException(file + ": header is not JSON: " + e.getMessage(), e);
            }
            long dataStart = 8 + headerLength;
            long dataSize = size - dataStart;

            Map<String, String> metadata = new LinkedHashMap<>();
            List<Map.Entry<String, JsonNode>> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (entry.getKey().equals("__metadata__")) {
                    entry.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                } else {
                    entries.add(entry);
                }
            }
            entries.sort(Comparator.comparingLong(e -> e.getValue().path("data_offsets").path(0).asLong()));

            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> entry : entries) {
                String name = entry.getKey();
                JsonNode info = entry.getValue();
                DType dtype = DType.parse(info.path("dtype").asText());
                long[] shape = shape(info.path("shape"), file, name);
                long begin = info.path("data_offsets").path(0).asLong(-1);
                long end = info.path("data_offsets").path(1).asLong(-1);
                if (begin < 0 || end < begin || end > dataSize) {
                    throw new SafetensorsException(file + ": tensor " + name + " has data_offsets [" + begin + ", " + end
                            + "] outside the " + dataSize + " data bytes");
                }
                ByteBuffer data = channel.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin);
                tensors.put(name, new Tensor(name, dtype, shape, data));
            }
            return new Contents(tensors, metadata);
        } catch (IOException e) {
            throw new SafetensorsException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static void write(Path file, Collection<Tensor> tensors, Map<String, String> metadata) {
        List<Tensor> ordered = new ArrayList<>(tensors);
        ordered.sort(Comparator.comparing(Tensor::name));
        ObjectNode header = JSON.createObjectNode();
        ObjectNode meta = header.putObject("__metadata__");
        meta.put("format", "pt");
        metadata.forEach(meta::put);
        long offset = 0;
        for (Tensor tensor : ordered) {
            ObjectNode info = header.putObject(tensor.name());
            info.put("dtype", tensor.dtype().name());
            ArrayNode shape = info.putArray("shape");
            for (long d : tensor.shape()) {
                shape.add(d);
            }
            long length = tensor.data().remaining();
            info.putArray("data_offsets").add(offset).add(offset + length);
            offset += length;
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(prefix.array());
            byte[] chunk = new byte[1 << 16];
            for (Tensor tensor : ordered) {
                ByteBuffer data = tensor.data().duplicate();
                while (data.hasRemaining()) {
                    int n = Math.min(chunk.length, data.remaining());
                    data.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
        } catch (IOException e) {
            throw new SafetensorsException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static long[] shape(JsonNode node, Path file, String name) {
        if (!node.isArray()) {
            throw new SafetensorsException(file + ": tensor " + name + " has no shape");
        }
        long[] shape = new long[node.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = node.get(i).asLong();
        }
        return shape;
    }
}
