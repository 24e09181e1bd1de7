package io.tuneloop.model.chat;

import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.time.temporal.IsoFields;
import java.util.Locale;

/**
 * Python's {@code datetime.strftime} in the C locale, for Hugging Face's {@code strftime_now}
 * (Llama-3.x templates write today's date as {@code strftime_now("%d %b %Y")}). Directives that
 * depend on the C library beyond these are refused by name.
 */
final class Strftime {
    private Strftime() {
    }

    static String format(ZonedDateTime t, String pattern) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c != '%' || i + 1 >= pattern.length()) {
                out.append(c);
                continue;
            }
            char d = pattern.charAt(++i);
            boolean unpadded = false;
            if (d == '-' && i + 1 < pattern.length()) { // glibc's "no padding" flag, e.g. %-d
                unpadded = true;
                d = pattern.charAt(++i);
            }
            String value = switch (d) {
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'd' -> pad(t.getDayOfMonth(), 2);
                case 'e' -> String.format("%2d", t.getDayOfMonth());
                case 'H' -> pad(t.getHour(), 2);
                case 'I' -> pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2);
                case 'j' -> pad(t.getDayOfYear(), 3);
                case 'm' -> pad(t.getMonthValue(), 2);
                case 'M' -> pad(t.getMinute(), 2);
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'S' -> pad(t.getSecond(), 2);
                case 'f' -> pad(t.getNano() / 1000, 6);
                case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
                case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
                case 'y' -> pad(t.getYear() % 100, 2);
                case 'Y' -> Integer.toString(t.getYear());
                case 'G' -> Integer.toString(t.get(IsoFields.WEEK_BASED_YEAR));
                case 'V' -> pad(t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR), 2);
                case 'U' -> pad((t.getDayOfYear() + 6 - t.getDayOfWeek().getValue() % 7) / 7, 2);
                case 'W' -> pad((t.getDayOfYear() + 6 - (t.getDayOfWeek().getValue() + 6) % 7) / 7, 2);
                case 'z' -> offset(t);
                case 'Z' -> t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'c' -> format(t, "%a %b %e %H:%M:%S %Y");
                case 'x' -> format(t, "%m/%d/%y");
                case 'X' -> format(t, "%H:%M:%S");
                case 'D' -> format(t, "%m/%d/%y");
                case 'F' -> format(t, "%Y-%m-%d");
                case 'T' -> format(t, "%H:%M:%S");
                case 'R' -> format(t, "%H:%M");
                case 'n' -> "\n";
                case 't' -> "\t";
                case '%' -> "%";
                default -> throw new io.tuneloop.jinja.TemplateException(io.tuneloop.jinja.TemplateException.Kind.UNSUPPORTED,
                        "strftime_now: the directive %" + d + " is not supported");
            };
            if (unpadded && value.length() > 1 && (value.startsWith("0") || value.startsWith(" "))) {
                value = value.replaceFirst("^[0 ]+(?=.)", "");
            }
            out.append(value);
        }
        return out.toString();
    }

    private static String pad(long value, int width) {
        String s = Long.toString(value);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }

    private static String offset(ZonedDateTime t) {
        int seconds = t.getOffset().get(ChronoField.OFFSET_SECONDS);
        int abs = Math.abs(seconds);
        return (seconds < 0 ? "-" : "+") + pad(abs / 3600, 2) + pad(abs / 60 % 60, 2);
    }
}
