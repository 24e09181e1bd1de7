package io.tuneloop.tokens;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command line for local tokens ({@code ./tuneloop local token} calls it):
 * <pre>
 *   keys DIR                                  create DIR/private.pem and DIR/public.pem unless present
 *   mint DIR USER --role R... [--team T] [--ttl 8h] [--issuer I]   print a token signed with DIR/private.pem
 *                                             (--team is required unless every role is admin)
 * </pre>
 * Exit status 0 on success, 2 on bad usage.
 */
public final class TokenTool {
    private TokenTool() {
    }

    public static void main(String[] args) {
        try {
            System.out.println(run(args));
        } catch (IllegalArgumentException e) {
            System.err.println("token: " + e.getMessage());
            System.exit(2);
        }
    }

    static String run(String[] args) {
        if (args.length >= 2 && args[0].equals("keys")) {
            SigningKeys.createIfMissing(Path.of(args[1]));
            return Path.of(args[1]).resolve(SigningKeys.PUBLIC_FILE).toString();
        }
        if (args.length >= 3 && args[0].equals("mint")) {
            Path dir = Path.of(args[1]);
            String user = args[2];
            List<String> roles = new ArrayList<>();
            Duration ttl = Duration.ofHours(8);
            String issuer = BearerTokens.LOCAL_ISSUER;
            String team = null;
            for (int i = 3; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--role" -> roles.add(required(value, "--role"));
                    case "--ttl" -> ttl = duration(required(value, "--ttl"));
                    case "--issuer" -> issuer = required(value, "--issuer");
                    case "--team" -> team = required(value, "--team");
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (roles.isEmpty()) {
                throw new IllegalArgumentException("give at least one --role: " + String.join(", ", Roles.ALL));
            }
            return new BearerTokens(SigningKeys.readPrivate(dir.resolve(SigningKeys.PRIVATE_FILE)), issuer)
                    .mint(user, roles, team, ttl);
        }
        throw new IllegalArgumentException("usage: keys DIR | mint DIR USER --role " + String.join("|", Roles.ALL)
                + "... [--team T] [--ttl 8h] [--issuer I]");
    }

    private static String required(String value, String option) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /** 90s, 30m, 8h, 7d */
    static Duration duration(String text) {
        if (!text.matches("\\d+[smhd]")) {
            throw new IllegalArgumentException("a duration looks like 90s, 30m, 8h or 7d, was " + text);
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return switch (text.charAt(text.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
