package io.caravan.notify;

import io.caravan.config.ConfigFiles;
import io.caravan.error.ConfigException;
import io.caravan.pseudonymise.MessageSigner;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * {@code config/notifications.yaml}: the channels (signed HTTPS webhooks, e-mail recipients) and the
 * subscriptions (kinds, partners, channels). Checked against its schema and for what the schema
 * cannot say: a channel is exactly one of webhook and email, a subscription names channels that
 * exist, every webhook's secret is set (looked up by name; only the name ever appears in a
 * message). A missing file is no subscriptions. Immutable and thread-safe.
 */
public final class NotificationRules {
    static final String SCHEMA = "/io/caravan/notify/notifications.schema.json";

    /** A receiver. */
    public sealed interface Channel {
        String id();

        /** {@code webhook} or {@code email}. */
        String type();
    }

    /** POSTs the notification to {@code url}, signed by {@code signer}. */
    public record Webhook(String id, URI url, MessageSigner signer) implements Channel {
        @Override
        public String type() {
            return "webhook";
        }
    }

    /** Mails the notification to {@code to}. */
    public record Email(String id, List<String> to) implements Channel {
        public Email {
            to = List.copyOf(to);
        }

        @Override
        public String type() {
            return "email";
        }
    }

    record Subscription(Set<NotificationKind> kinds, Set<String> partners, List<String> channels) {
        boolean matches(NotificationKind kind, String partnerId) {
            return kinds.contains(kind) && (partners.isEmpty() || partners.contains(partnerId));
        }
    }

    private final Map<String, Channel> channels;
    private final List<Subscription> subscriptions;

    NotificationRules(Map<String, Channel> channels, List<Subscription> subscriptions) {
        this.channels = Map.copyOf(channels);
        this.subscriptions = List.copyOf(subscriptions);
    }

    /**
     * Reads the file; {@code secrets} looks up a webhook's {@code secretFrom} name (environment or
     * configuration), null when not set.
     *
     * @throws ConfigException naming the file and the path of every problem
     */
    public static NotificationRules load(Path file, Function<String, String> secrets) {
        if (!Files.exists(file)) {
            return new NotificationRules(Map.of(), List.of());
        }
        JsonNode root = ConfigFiles.read(file, SCHEMA);
        List<String> problems = new ArrayList<>();
        Map<String, Channel> channels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("channels").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String id = entry.getKey();
            String path = "$.channels." + id;
            JsonNode node = entry.getValue();
            if (node.has("webhook") == node.has("email")) {
                problems.add(file + ": " + path + ": needs exactly one of webhook, email");
                continue;
            }
            if (node.has("email")) {
                List<String> to = new ArrayList<>();
                node.path("email").path("to").forEach(a -> to.add(a.asString()));
                channels.put(id, new Email(id, to));
                continue;
            }
            JsonNode webhook = node.path("webhook");
            URI url = null;
            try {
                url = new URI(webhook.path("url").asString());
                if (url.getHost() == null) {
                    problems.add(file + ": " + path + ".webhook.url: not an https URL with a host");
                    url = null;
                }
            } catch (URISyntaxException e) {
                problems.add(file + ": " + path + ".webhook.url: not a URL");
            }
            String secretName = webhook.path("secretFrom").asString();
            String secret = secrets.apply(secretName);
            MessageSigner signer = null;
            if (secret == null || secret.isBlank()) {
                problems.add(file + ": " + path + ".webhook.secretFrom: " + secretName + " is not set (environment variable or property)");
            } else {
                try {
                    signer = MessageSigner.of(secret);
                } catch (IllegalArgumentException e) {
                    problems.add(file + ": " + path + ".webhook.secretFrom: the secret in " + secretName + " is shorter than "
                            + MessageSigner.MIN_SECRET_BYTES + " bytes");
                }
            }
            if (url != null && signer != null) {
                channels.put(id, new Webhook(id, url, signer));
            }
        }
        List<Subscription> subscriptions = new ArrayList<>();
        JsonNode list = root.path("subscriptions");
        for (int i = 0; i < list.size(); i++) {
            JsonNode node = list.get(i);
            Set<NotificationKind> kinds = new LinkedHashSet<>();
            node.path("kinds").forEach(k -> NotificationKind.of(k.asString()).ifPresent(kinds::add));
            Set<String> partners = new LinkedHashSet<>();
            node.path("partners").forEach(p -> partners.add(p.asString()));
            List<String> names = new ArrayList<>();
            JsonNode channelNames = node.path("channels");
            for (int c = 0; c < channelNames.size(); c++) {
                String name = channelNames.get(c).asString();
                if (!root.path("channels").has(name)) {
                    problems.add(file + ": $.subscriptions[" + i + "].channels[" + c + "]: no channel '" + name + "' (defined: "
                            + String.join(", ", root.path("channels").propertyNames()) + ")");
                }
                names.add(name);
            }
            subscriptions.add(new Subscription(kinds, partners, names));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.stream().anyMatch(p -> p.contains("is not set"))
                    ? ConfigException.Code.MISSING_KEY : ConfigException.Code.INVALID, "notification settings", problems);
        }
        return new NotificationRules(channels, subscriptions);
    }

    /** The channels subscribed to {@code kind} about {@code partnerId}, each once, in subscription order. */
    public List<Channel> channelsFor(NotificationKind kind, String partnerId) {
        Set<String> ids = new LinkedHashSet<>();
        subscriptions.stream().filter(s -> s.matches(kind, partnerId)).forEach(s -> ids.addAll(s.channels()));
        return ids.stream().map(channels::get).filter(java.util.Objects::nonNull).toList();
    }

    Channel channel(String id) {
        return channels.get(id);
    }

    boolean hasEmail() {
        return channels.values().stream().anyMatch(c -> c instanceof Email);
    }
}
