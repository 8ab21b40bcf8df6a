package io.ingestd;

import java.math.BigDecimal;

/** One committed record, as handed to a {@link FeeProcessor}. */
public record Fee(long ticket, long login, BigDecimal volume) {}
