package io.tuneloop.service.auth;

import io.tuneloop.store.Artifacts.DatasetOwner;
import io.tuneloop.tokens.Roles;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.NotFoundException;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthCoreTest {
    private static final Caller DANA = Caller.of("dana", "team-a", Set.of(Roles.DATA));
    private static final Caller EVE = Caller.of("eve", "team-b", Set.of(Roles.DATA, Roles.VIEWER));
    private static final Caller ADA = Caller.of("ada", null, Set.of(Roles.ADMIN));

    private final Map<String, DatasetOwner> stored = new HashMap<>();
    private int reads;
    private final DatasetOwners owners = new DatasetOwners(d -> {
        reads++;
        return Optional.ofNullable(stored.get(d));
    }, stored::put, Clock.fixed(Instant.parse("2026-12-02T08:00:00Z"), ZoneOffset.UTC));

    @Test
    void theFirstWriteOfATeamClaimsADatasetAndAnotherTeamSeesNothing() {
        DatasetOwner owner = owners.claimOrCheck("demo", DANA);
        assertThat(owner.team()).isEqualTo("team-a");
        assertThat(owner.claimedBy()).isEqualTo("dana");
        assertThat(stored).containsKey("demo");

        assertThat(owners.claimOrCheck("demo", Caller.of("dan", "team-a", Set.of(Roles.DATA))).claimedBy())
                .as("the team's other members write to it; the claim stays").isEqualTo("dana");
        assertThatThrownBy(() -> owners.claimOrCheck("demo", EVE)).isInstanceOf(NotFoundException.class)
                .hasMessage("no dataset demo");
        assertThatThrownBy(() -> owners.checkVisible("demo", EVE)).isInstanceOf(NotFoundException.class)
                .hasMessage("no dataset demo");
        assertThat(owners.checkVisible("demo", DANA)).isPresent();
        assertThat(owners.checkVisible("demo", ADA)).as("an admin sees every team's").isPresent();
    }

    @Test
    void aDatasetNobodyOwnsIsVisibleOnlyToAdminsAndATeamlessTokenCannotClaimOne() {
        assertThatThrownBy(() -> owners.checkVisible("legacy", DANA)).isInstanceOf(NotFoundException.class);
        assertThat(owners.checkVisible("legacy", ADA)).isEmpty();
        assertThatThrownBy(() -> owners.claimOrCheck("legacy", ADA)).isInstanceOf(ForbiddenException.class)
                .hasMessageContaining("no 'team' claim").hasMessageContaining("--team");
        assertThatThrownBy(() -> owners.claimOrCheck("../other", DANA)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aClaimThatLostARaceToAnotherTeamIsA404AndOwnersAreReadOnce() {
        // another team's claim landed between our write and our read-back: the store keeps the last write
        DatasetOwners racing = new DatasetOwners(d -> Optional.ofNullable(stored.get(d)),
                (d, o) -> stored.put(d, new DatasetOwner(d, "team-b", "eve", o.claimedAt())), Clock.systemUTC());
        assertThatThrownBy(() -> racing.claimOrCheck("contested", DANA)).isInstanceOf(NotFoundException.class);

        owners.claimOrCheck("once", DANA);
        int before = reads;
        for (int i = 0; i < 5; i++) {
            owners.owner("once");
        }
        assertThat(reads).as("an owner never changes, so it is kept").isEqualTo(before);
        assertThat(owners.known("never-read")).isEmpty();
    }

    @Test
    void anAllowanceCountsRequestsAndBytesPerPrincipalInASlidingWindow() {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T08:00:00Z"));
        HourlyAllowance allowance = new HourlyAllowance(3, 1000, Duration.ofHours(1), clock);
        allowance.admit("dana", "uploads");
        clock.advance(Duration.ofMinutes(10));
        allowance.admit("dana", "uploads");
        allowance.admit("dana", "uploads");
        assertThatThrownBy(() -> allowance.admit("dana", "uploads")).isInstanceOfSatisfying(LimitExceededException.class,
                e -> {
                    assertThat(e.getMessage()).contains("dana made 3 uploads").contains("limit is 3");
                    // the oldest use leaves the window 50 minutes from now
                    assertThat(e.retryAfterSeconds()).isEqualTo(50 * 60);
                });
        allowance.admit("eve", "uploads"); // per principal
        clock.advance(Duration.ofMinutes(51));
        allowance.admit("dana", "uploads"); // the first use left the window

        HourlyAllowance bytes = new HourlyAllowance(0, 1000, Duration.ofHours(1), clock);
        bytes.admit("dana", "uploads");
        bytes.addBytes("dana", 999);
        bytes.admit("dana", "uploads"); // under the limit when it started: admitted
        bytes.addBytes("dana", 5);
        assertThatThrownBy(() -> bytes.admit("dana", "uploads")).isInstanceOf(LimitExceededException.class)
                .hasMessageContaining("1004 bytes");
    }

    private static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
