package io.tuneloop.events;

/**
 * Who caused an event and which team owns what it is about. Events carry both as CloudEvents
 * extension attributes ({@link CloudEventHeaders#PRINCIPAL}, {@link CloudEventHeaders#TEAM}), so a
 * consumer, an audit tool or a person reading a topic sees who uploaded, started or asked for it.
 *
 * @param principal the caller's name from their token ({@code sub}), or {@code service:<name>} for
 *                  work a service started by itself (a run policy, a round policy)
 * @param team      the owning team; null where nobody owns the subject yet
 */
public record Actor(String principal, String team) {
    public Actor {
        if (principal == null || principal.isBlank()) {
            throw new IllegalArgumentException("an actor needs a principal");
        }
    }

    /** Work a service does on its own (a policy), for {@code team}. */
    public static Actor service(Service service, String what, String team) {
        return new Actor("service:" + service.id() + "/" + what, team);
    }
}
