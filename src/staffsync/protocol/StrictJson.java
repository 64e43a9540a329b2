package staffsync.protocol;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads one message into gson's tree, refusing what gson would quietly accept: a duplicate key
 * in any object (gson keeps the last one, so {@code {"type":"PING","type":"STAFF_DELETE"}} would
 * delete a row) and a string holding a lone surrogate (gson keeps it, UTF-8 encoding then turns
 * it into {@code ?}, so two different ids would become one). Both are {@code INVALID_MESSAGE}.
 *
 * <p>A first pass with gson's streaming reader checks those rules, then gson builds the tree as
 * before (numbers keep their written form, which PING's echo relies on). Stateless.
 */
final class StrictJson {
    private StrictJson() {}

    static JsonElement parse(String text) throws ProtocolException {
        check(text);
        try (JsonReader reader = strictReader(text)) {
            return JsonParser.parseReader(reader);
        } catch (JsonParseException | IOException e) {
            throw invalid("message is not valid JSON");
        }
    }

    /** Walks every token once: duplicate keys and lone surrogates are refused, with their place. */
    private static void check(String text) throws ProtocolException {
        Deque<Container> open = new ArrayDeque<>();
        try (JsonReader reader = strictReader(text)) {
            do {
                JsonToken token = reader.peek();
                switch (token) {
                    case BEGIN_OBJECT -> {
                        reader.beginObject();
                        open.push(new Container(new HashSet<>()));
                    }
                    case BEGIN_ARRAY -> {
                        reader.beginArray();
                        open.push(new Container(null));
                    }
                    case END_OBJECT -> {
                        reader.endObject();
                        open.pop();
                    }
                    case END_ARRAY -> {
                        reader.endArray();
                        open.pop();
                    }
                    case NAME -> {
                        Container object = open.peek();
                        object.key = reader.nextName();
                        refuseLoneSurrogate(object.key, open, "a key");
                        if (!object.keys.add(object.key)) {
                            throw invalid("duplicate key '" + object.key + "' in " + where(open, false)
                                    + ": each key may appear once");
                        }
                    }
                    case STRING -> refuseLoneSurrogate(reader.nextString(), open, "a string");
                    case END_DOCUMENT -> throw invalid("message is empty");
                    default -> reader.skipValue(); // NUMBER, BOOLEAN, NULL
                }
                if (!open.isEmpty() && open.peek().keys == null && token != JsonToken.BEGIN_ARRAY) {
                    open.peek().index++;
                }
            } while (!open.isEmpty());
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw invalid("message is not valid JSON: text after the JSON value");
            }
        } catch (JsonParseException | IOException | IllegalStateException | NumberFormatException e) {
            throw invalid("message is not valid JSON");
        }
    }

    /** One object or array being read; only for naming the place of a problem. */
    private static final class Container {
        final Set<String> keys; // null for an array
        String key;             // object: the member being read
        int index;              // array: the element being read

        Container(Set<String> keys) {
            this.keys = keys;
        }
    }

    private static void refuseLoneSurrogate(String text, Deque<Container> open, String what)
            throws ProtocolException {
        if (hasLoneSurrogate(text)) {
            throw invalid(what + " in " + where(open, what.equals("a string"))
                    + " holds a lone surrogate (\\ud800-\\udfff without its pair): not a Unicode string");
        }
    }

    static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The dotted place being read, such as {@code payload.staff.name} or {@code payload.tags[2]};
     * {@code atValue} false names the object holding the current key instead.
     */
    private static String where(Deque<Container> open, boolean atValue) {
        StringBuilder place = new StringBuilder();
        Iterator<Container> outermostFirst = open.descendingIterator();
        while (outermostFirst.hasNext()) {
            Container container = outermostFirst.next();
            boolean innermost = !outermostFirst.hasNext();
            if (container.keys == null) {
                place.append('[').append(container.index).append(']');
            } else if (container.key != null && (atValue || !innermost)) {
                place.append(place.length() == 0 ? "" : ".").append(container.key);
            }
        }
        return place.length() == 0 ? "the message" : place.toString();
    }

    private static JsonReader strictReader(String text) {
        JsonReader reader = new JsonReader(new StringReader(text));
        reader.setStrictness(Strictness.STRICT); // no single quotes, comments or bare words
        return reader;
    }

    private static ProtocolException invalid(String message) {
        return new ProtocolException(ErrorCode.INVALID_MESSAGE, message);
    }
}
