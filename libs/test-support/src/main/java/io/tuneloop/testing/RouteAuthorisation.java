package io.tuneloop.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.tuneloop.tokens.BearerTokens;
import io.tuneloop.tokens.Roles;
import io.tuneloop.tokens.SigningKeys;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;

/**
 * Checks a running service against its own OpenAPI document: every {@code /api} operation it
 * lists must name the roles that may call it (its bearer requirement's scopes, which Quarkus derives
 * from {@code @RolesAllowed}), answer 401 without a token and with a token of another key, and 403
 * to a token of every role that is not among them. A route added without roles fails here by name.
 */
public final class RouteAuthorisation {
    /** One operation: method, path template and the roles that may call it. */
    public record Route(String method, String path, List<String> roles) {
        @Override
        public String toString() {
            return method.toUpperCase() + " " + path + " " + roles;
        }
    }

    /** What was checked: routes, and 401/403 answers seen. */
    public record Checked(List<Route> routes, int unauthenticated, int forbidden) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private RouteAuthorisation() {
    }

    /** The {@code /api} operations of an OpenAPI document (JSON) with their roles. */
    public static List<Route> routes(String openApiJson) throws IOException {
        JsonNode doc = JSON.readTree(openApiJson);
        List<Route> routes = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            if (!path.getKey().startsWith("/api/")) {
                continue;
            }
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> op = ops.next();
                if (!List.of("get", "put", "post", "delete", "patch").contains(op.getKey())) {
                    continue;
                }
                JsonNode security = op.getValue().path("security");
                if (!security.isArray() || security.isEmpty() || !security.get(0).has("bearer")) {
                    throw new AssertionError(op.getKey().toUpperCase() + " " + path.getKey()
                            + " has no bearer requirement in the OpenAPI document: the route names no roles"
                            + " (@RolesAllowed), so anyone could call it");
                }
                List<String> roles = new ArrayList<>();
                security.get(0).get("bearer").forEach(r -> roles.add(r.asText()));
                routes.add(new Route(op.getKey(), path.getKey(), roles));
            }
        }
        return routes;
    }

    /**
     * Fetches the service's document from {@code /q/openapi} (RestAssured's configured port) and
     * checks every route: 401 without a token and with a forged one, 403 for every role not named.
     */
    public static Checked checkEveryRoute() throws IOException {
        String doc = given().auth().none().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .extract().asString();
        List<Route> routes = routes(doc);
        if (routes.isEmpty()) {
            throw new AssertionError("the OpenAPI document lists no /api route");
        }
        String forged = new BearerTokens(SigningKeys.generate().getPrivate(), BearerTokens.LOCAL_ISSUER)
                .mint("mallory", List.of(Roles.ADMIN), TestTokens.TEAM, Duration.ofMinutes(5));
        int unauthenticated = 0;
        int forbidden = 0;
        for (Route route : routes) {
            expect(route, request(null), 401, "without a token");
            expect(route, request(forged), 401, "with a token signed by another key");
            unauthenticated += 2;
            for (String role : Roles.ALL) {
                if (route.roles().isEmpty() || route.roles().contains(role) || role.equals(Roles.ADMIN)) {
                    continue;
                }
                expect(route, request(TestTokens.token("probe-" + role, role)), 403, "with role " + role);
                forbidden++;
            }
        }
        return new Checked(routes, unauthenticated, forbidden);
    }

    private static RequestSpecification request(String token) {
        RequestSpecification request = given().auth().none().contentType("application/json").body("{}");
        return token == null ? request : request.header("Authorization", "Bearer " + token);
    }

    private static void expect(Route route, RequestSpecification request, int status, String how) {
        String path = route.path().replaceAll("\\{[^}]+}", "probe");
        Response response = request.request(route.method().toUpperCase(), path);
        if (response.statusCode() != status) {
            throw new AssertionError(route + " " + how + ": expected " + status + ", got " + response.statusCode()
                    + " " + response.asString());
        }
    }
}
