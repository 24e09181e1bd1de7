package io.tuneloop.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The services' public HTTP APIs, as any client would call them. */
final class StackClient {
    static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: status and body. */
    record Reply(int status, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("not JSON (" + status + "): " + body, e);
            }
        }

        Reply expect(int... statuses) {
            for (int s : statuses) {
                if (s == status) {
                    return this;
                }
            }
            throw new IllegalStateException("HTTP " + status + ": " + body);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> baseUrls;

    /** @param baseUrls service name (ingest, formatter, trainer, eval, feedback) to its base URL */
    StackClient(Map<String, String> baseUrls) {
        this.baseUrls = Map.copyOf(baseUrls);
    }

    String url(String service, String path) {
        String base = baseUrls.get(service);
        if (base == null) {
            throw new IllegalArgumentException("no URL for service " + service);
        }
        return base + path;
    }

    Reply get(String service, String path, String token) {
        return send(request(service, path, token).GET());
    }

    Reply put(String service, String path, String json, String token) {
        return send(request(service, path, token).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    Reply post(String service, String path, String contentType, byte[] body, String token, Map<String, String> headers) {
        HttpRequest.Builder request = request(service, path, token).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        return send(request);
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String service, String path, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url(service, path))).timeout(Duration.ofSeconds(60));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private Reply send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
