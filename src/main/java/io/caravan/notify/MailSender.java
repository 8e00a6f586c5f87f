package io.caravan.notify;

import java.util.Map;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * Mails a notification as plain text over the SMTP server of {@code spring.mail.*}: subject
 * {@code [Caravan] delivery_missing: dealer-nord}, a body of the id and the facts, one a line.
 * Thread-safe.
 */
final class MailSender implements ChannelSender {
    private final JavaMailSender mail;
    private final String from;

    MailSender(JavaMailSender mail, String from) {
        this.mail = mail;
        this.from = from;
    }

    static String subject(Notification n) {
        return "[Caravan] " + n.kind().label() + (n.partnerId() == null ? "" : ": " + n.partnerId());
    }

    static String text(Notification n) {
        StringBuilder text = new StringBuilder();
        text.append("Caravan notification ").append(n.notificationId()).append('\n')
                .append("kind: ").append(n.kind().label()).append('\n')
                .append("partner: ").append(n.partnerId() == null ? "-" : n.partnerId()).append('\n')
                .append("created: ").append(n.createdAt()).append("\n\n");
        for (Map.Entry<String, Object> fact : n.facts().entrySet()) {
            text.append(fact.getKey()).append(": ").append(fact.getValue()).append('\n');
        }
        return text.toString();
    }

    @Override
    public void send(NotificationRules.Channel channel, Notification n, int attempt) throws Failure {
        NotificationRules.Email email = (NotificationRules.Email) channel;
        if (mail == null) {
            throw new Failure("no SMTP server configured (spring.mail.host)");
        }
        SimpleMailMessage message = new SimpleMailMessage();
        message.setFrom(from);
        message.setTo(email.to().toArray(String[]::new));
        message.setSubject(subject(n));
        message.setText(text(n));
        try {
            mail.send(message);
        } catch (MailException e) {
            Throwable cause = e.getMostSpecificCause();
            throw new Failure(e.getClass().getSimpleName() + (cause == e ? "" : " (" + cause.getClass().getSimpleName() + ")"));
        }
    }
}
