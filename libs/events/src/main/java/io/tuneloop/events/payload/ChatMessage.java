package io.tuneloop.events.payload;

/**
 * One turn of a conversation. {@code train} is false for assistant turns that must not be learned
 * (OpenAI's {@code weight: 0}); it is ignored for other roles.
 */
public record ChatMessage(String role, String content, Boolean train) {
    public ChatMessage {
        Require.text(role, "message.role");
        Require.present(content, "message.content");
        if (!role.equals("system") && !role.equals("user") && !role.equals("assistant") && !role.equals("tool")) {
            throw new InvalidPayloadException("message.role must be system, user, assistant or tool, was " + role);
        }
    }

    public boolean trained() {
        return train == null || train;
    }
}
