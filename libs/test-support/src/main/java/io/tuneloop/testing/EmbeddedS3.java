package io.tuneloop.testing;

import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

/**
 * A real S3 server (S3Proxy, in-memory blob store) on 127.0.0.1 and a free port, inside this JVM.
 *
 * <p>S3Proxy is loaded from its self-contained jar in a class loader of its own whose parent is the
 * platform loader: it brings Jetty 12, Jackson 3, logback and several cloud SDKs, none of which may
 * leak into (or clash with) the application under test. The jar is the one the local stack runs.
 */
public final class EmbeddedS3 implements AutoCloseable {
    public static final String ACCESS_KEY = "tuneloop-test";
    public static final String SECRET_KEY = "tuneloop-test-secret";
    private static final String JAR_PROPERTY = "tuneloop.s3proxy.jar";

    private final URLClassLoader loader;
    private final Object proxy;
    private final int port;

    private EmbeddedS3(URLClassLoader loader, Object proxy, int port) {
        this.loader = loader;
        this.proxy = proxy;
        this.port = port;
    }

    public static EmbeddedS3 start() {
        Path jar = locateJar();
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        URLClassLoader loader = null;
        try {
            loader = new URLClassLoader("s3proxy", new URL[]{jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
            Thread.currentThread().setContextClassLoader(loader);
            Class<?> blobStoreType = loader.loadClass("org.gaul.s3proxy.blobstore.BlobStore");
            Object blobStore = loader.loadClass("org.gaul.s3proxy.BlobStores")
                    .getMethod("create", String.class, Properties.class)
                    .invoke(null, "transient", new Properties());

            Object builder = loader.loadClass("org.gaul.s3proxy.S3Proxy").getMethod("builder").invoke(null);
            Class<?> builderType = builder.getClass();
            builderType.getMethod("blobStore", blobStoreType).invoke(builder, blobStore);
            builderType.getMethod("endpoint", URI.class).invoke(builder, URI.create("http://127.0.0.1:0"));
            @SuppressWarnings({"unchecked", "rawtypes"})
            Class<? extends Enum> authType = (Class<? extends Enum>) loader.loadClass("org.gaul.s3proxy.auth.AuthenticationType");
            @SuppressWarnings("unchecked")
            Object awsV2OrV4 = Enum.valueOf(authType, "AWS_V2_OR_V4");
            builderType.getMethod("awsAuthentication", authType, String.class, String.class)
                    .invoke(builder, awsV2OrV4, ACCESS_KEY, SECRET_KEY);
            Object proxy = builderType.getMethod("build").invoke(builder);

            proxy.getClass().getMethod("start").invoke(proxy);
            Method state = proxy.getClass().getMethod("getState");
            Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
            while (!"STARTED".equals(state.invoke(proxy))) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("S3Proxy did not start within 30 s: " + state.invoke(proxy));
                }
                Thread.sleep(20);
            }
            int port = (int) proxy.getClass().getMethod("getPort").invoke(proxy);
            return new EmbeddedS3(loader, proxy, port);
        } catch (ReflectiveOperationException | java.io.IOException e) {
            closeQuietly(loader);
            throw new IllegalStateException("cannot start S3Proxy from " + jar, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting S3Proxy", e);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    /** {@code http://127.0.0.1:<port>} */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            proxy.getClass().getMethod("stop").invoke(proxy);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot stop S3Proxy", e);
        } finally {
            closeQuietly(loader);
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        if (loader != null) {
            try {
                loader.close();
            } catch (java.io.IOException ignored) {
                // nothing left to release
            }
        }
    }

    /** The S3Proxy jar: a system property if set, else the local Maven repository. */
    static Path locateJar() {
        String configured = System.getProperty(JAR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return existing(Paths.get(configured));
        }
        String version = s3proxyVersion();
        String repository = System.getProperty("maven.repo.local",
                Paths.get(System.getProperty("user.home"), ".m2", "repository").toString());
        return existing(Paths.get(repository, "org", "gaul", "s3proxy", version,
                "s3proxy-" + version + "-jar-with-dependencies.jar"));
    }

    private static String s3proxyVersion() {
        Properties versions = new Properties();
        try (var in = EmbeddedS3.class.getResourceAsStream("versions.properties")) {
            versions.load(in);
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("versions.properties is missing from tuneloop-test-support", e);
        }
        return versions.getProperty("s3proxy.version");
    }

    private static Path existing(Path jar) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar not found at " + jar + ": build libs/test-support with Maven"
                    + " (it declares the jar) or set -D" + JAR_PROPERTY);
        }
        return jar;
    }
}
