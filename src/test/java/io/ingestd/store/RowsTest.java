package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.protocol.RecordParser;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** How a group of messages is classified before the insert: accepted, deferred to a later round, self-conflict. */
class RowsTest {
    static PendingRequest message(String body) {
        var parsed =
                (RecordParser.Result.Parsed) RecordParser.parse(body.getBytes(StandardCharsets.UTF_8), 1 << 20, 100);
        return new PendingRequest(parsed.records(), RequestQueueTest.PEER, System.nanoTime());
    }

    @Test
    void distinctAndIdenticallyRepeatedRecordsAreAcceptedOnce() {
        var group = List.of(message("1,7,1.5\n2,7,2"), message("2,7,2\n3,8,0.25"));
        var rows = Rows.of(group);
        assertThat(rows.state).containsExactly(Rows.ACCEPTED, Rows.ACCEPTED);
        assertThat(rows.acceptedTickets()).containsExactly(1, 2, 3);
        assertThat(rows.logins).startsWith(7, 7, 8);
        assertThat(rows.deferred(group)).isEmpty();
    }

    @Test
    void aTicketAnEarlierMessageHasWithOtherValuesDefersTheWholeLaterMessage() {
        var later = message("4,9,1\n1,7,9.99");
        var group = List.of(message("1,7,1.5"), later, message("5,9,1"));
        var rows = Rows.of(group);
        assertThat(rows.state).containsExactly(Rows.ACCEPTED, Rows.DEFERRED, Rows.ACCEPTED);
        assertThat(rows.acceptedTickets())
                .as("ticket 4 is undone with its message")
                .containsExactly(1, 5);
        assertThat(rows.find(4)).isEqualTo(-1);
        assertThat(rows.deferred(group)).containsExactly(later);
    }

    @Test
    void aMessageThatRepeatsATicketWithOtherValuesConflictsWithItself() {
        var self = message("6,1,1\n7,1,1\n6,1,2");
        var rows = Rows.of(List.of(message("1,7,1.5"), self));
        assertThat(rows.state).containsExactly(Rows.ACCEPTED, Rows.SELF_CONFLICT);
        assertThat(rows.acceptedTickets()).containsExactly(1);
        assertThat(rows.selfConflictDetail(self))
                .isEqualTo("conflict: line 3: ticket 6 repeats line 1 with a different login or volume");
    }

    @Test
    void aStoredConflictNamesTheLineAndTicket() {
        var m = message("1,7,1.5\n2,7,2");
        var rows = Rows.of(List.of(m));
        assertThat(rows.storedConflict(m)).isNull();
        rows.conflicted[rows.find(2)] = true;
        assertThat(rows.storedConflict(m))
                .isEqualTo("conflict: line 2: ticket 2 is already stored with a different login or volume");
    }
}
