package staffsync.store.supabase;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A PostgREST query string, parsed: {@code select}, horizontal filters ({@code col=op.value}),
 * {@code order}, {@code limit} and {@code offset}. Only what the store uses, with PostgREST's
 * errors for what it does not understand. Immutable once parsed.
 */
final class StandInQuery {
    final List<String> columns;
    final Predicate<Map<String, Object>> filter;
    final Comparator<Map<String, Object>> order;
    final Integer limit;
    final int offset;

    private StandInQuery(List<String> columns, Predicate<Map<String, Object>> filter,
                         Comparator<Map<String, Object>> order, Integer limit, int offset) {
        this.columns = columns;
        this.filter = filter;
        this.order = order;
        this.limit = limit;
        this.offset = offset;
    }

    static StandInQuery parse(String rawQuery, String table) throws StandInError {
        List<String> columns = new ArrayList<>(StandInTable.COLUMNS.keySet());
        Predicate<Map<String, Object>> filter = row -> true;
        Comparator<Map<String, Object>> order = null;
        Integer limit = null;
        int offset = 0;
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                switch (key) {
                    case "select" -> columns = selectList(value, table);
                    case "order" -> order = ordering(value, table);
                    case "limit" -> limit = number(value, "limit");
                    case "offset" -> offset = number(value, "offset");
                    default -> filter = filter.and(condition(key, value, table));
                }
            }
        }
        return new StandInQuery(columns, filter, order, limit, offset);
    }

    private static List<String> selectList(String value, String table) throws StandInError {
        if (value.equals("*")) {
            return new ArrayList<>(StandInTable.COLUMNS.keySet());
        }
        List<String> columns = new ArrayList<>();
        for (String column : value.split(",")) {
            columns.add(knownColumn(column.strip(), table));
        }
        return columns;
    }

    private static Comparator<Map<String, Object>> ordering(String value, String table) throws StandInError {
        Comparator<Map<String, Object>> order = null;
        for (String term : value.split(",")) {
            String[] parts = term.split("\\.");
            String column = knownColumn(parts[0], table);
            Comparator<Map<String, Object>> byColumn = Comparator.comparing(row -> comparable(row.get(column)));
            if (parts.length > 1 && parts[1].equals("desc")) {
                byColumn = byColumn.reversed();
            } else if (parts.length > 1 && !parts[1].equals("asc")) {
                throw parseError("order", term);
            }
            order = order == null ? byColumn : order.thenComparing(byColumn);
        }
        return order;
    }

    private static Predicate<Map<String, Object>> condition(String column, String value, String table)
            throws StandInError {
        knownColumn(column, table);
        int dot = value.indexOf('.');
        if (dot < 0) {
            throw parseError(column, value);
        }
        String operator = value.substring(0, dot);
        Comparable<Object> operand = comparable(StandInTable.cast(column, value.substring(dot + 1)));
        return switch (operator) {
            case "eq" -> row -> row.get(column) != null && comparable(row.get(column)).compareTo(operand) == 0;
            case "neq" -> row -> row.get(column) != null && comparable(row.get(column)).compareTo(operand) != 0;
            case "gt" -> row -> row.get(column) != null && comparable(row.get(column)).compareTo(operand) > 0;
            case "gte" -> row -> row.get(column) != null && comparable(row.get(column)).compareTo(operand) >= 0;
            case "lt" -> row -> row.get(column) != null && comparable(row.get(column)).compareTo(operand) < 0;
            case "lte" -> row -> row.get(column) != null && comparable(row.get(column)).compareTo(operand) <= 0;
            default -> throw parseError(column, value);
        };
    }

    /** Text compares by code point (the "C" collation), numbers and instants by value. */
    @SuppressWarnings("unchecked")
    private static Comparable<Object> comparable(Object value) {
        if (value instanceof String || value instanceof Long || value instanceof Instant) {
            return (Comparable<Object>) value;
        }
        throw new IllegalStateException("no ordering for " + value);
    }

    private static String knownColumn(String column, String table) throws StandInError {
        if (!StandInTable.COLUMNS.containsKey(column)) {
            throw new StandInError(400, "42703", "column " + table + "." + column + " does not exist", null, null);
        }
        return column;
    }

    private static int number(String value, String name) throws StandInError {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw parseError(name, value);
        }
    }

    private static StandInError parseError(String name, String value) {
        return new StandInError(400, "PGRST100", "\"failed to parse filter (" + value + ")\" (line 1, column 1)",
                "unexpected \"" + value + "\"", null);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
