package io.tuneloop.service.messaging;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import io.tuneloop.events.Service;
import org.eclipse.microprofile.config.spi.ConfigSource;

import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Adds the {@link CatalogChannels} configuration of the service named by {@code tuneloop.service}.
 * Its ordinal (200) sits below application.properties (250), so a service can override a setting.
 */
public class CatalogChannelsConfigSourceFactory implements ConfigSourceFactory {
    static final int ORDINAL = 200;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue id = context.getValue("tuneloop.service");
        if (id == null || id.getValue() == null || id.getValue().isBlank()) {
            return List.of();
        }
        Service service = Service.byId(id.getValue()).orElseThrow(() -> new IllegalArgumentException(
                "tuneloop.service=" + id.getValue() + " is not one of "
                        + Service.ALL.stream().map(Service::id).collect(Collectors.joining(", "))));
        return List.of(new PropertiesConfigSource(CatalogChannels.configFor(service),
                "tuneloop-catalog-channels[" + service.id() + "]", ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }
}
