package io.caravan.ingest;

import io.caravan.pipeline.Issue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PushbackInputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The recoverable well-formedness slips of real ADF feeds, repaired on the bytes before the XML parser
 * sees them, each one recorded as a warning on field {@code xml} (never with a value):
 * <ul>
 *   <li>a UTF-8 byte-order mark → removed;</li>
 *   <li>an XML declaration that the parser refuses: upper case ({@code <?XML VERSION "1.0"?>}), typographic
 *       or missing quotes, no {@code =}, or not first in the file (the ADF specification's own example puts it
 *       after {@code <?ADF?>}) → replaced by a canonical declaration at the start that keeps the declared
 *       encoding;</li>
 *   <li>a stray {@code &} that starts no character or entity reference ({@code Smith & Sons}) → {@code &amp;}.</li>
 * </ul>
 * Nothing else is repaired: a {@code DOCTYPE} and entity references ({@code &name;}) pass through unchanged,
 * so the reader still refuses them. Only the prolog (at most {@value #PROLOG_BYTES} bytes) is buffered; the
 * rest streams. ASCII-compatible encodings only (UTF-8, ISO-8859-x, windows-125x), as ADF feeds are.
 * Single-use, one thread.
 */
final class AdfRepairs {
    static final String FIELD = "xml";
    static final String DECLARATION = "XML declaration repaired (case, quotes or position)";
    static final String BOM = "byte-order mark removed";
    static final String AMPERSAND = "stray '&' escaped";
    private static final int PROLOG_BYTES = 8192;
    private static final Pattern CANONICAL_DECLARATION = Pattern.compile(
            "<\\?xml\\s+version\\s*=\\s*(\"1\\.[0-9]\"|'1\\.[0-9]')(\\s+encoding\\s*=\\s*(\"[A-Za-z][A-Za-z0-9._-]*\"|'[A-Za-z][A-Za-z0-9._-]*'))?"
                    + "(\\s+standalone\\s*=\\s*(\"(yes|no)\"|'(yes|no)'))?\\s*\\?>");
    private static final Pattern ENCODING = Pattern.compile("(?i)encoding\\s*=?\\s*[^A-Za-z0-9]*([A-Za-z][A-Za-z0-9._-]*)");

    private final List<Issue> fileRepairs = new ArrayList<>();
    private final AmpersandFilter ampersands;
    private final InputStream repaired;

    AdfRepairs(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, PROLOG_BYTES);
        buffered.mark(PROLOG_BYTES);
        byte[] head = buffered.readNBytes(PROLOG_BYTES);
        buffered.reset();
        Prolog prolog = prolog(head);
        InputStream body = buffered;
        if (prolog != null) {
            buffered.skipNBytes(prolog.consumed);
            body = new SequenceInputStream(new ByteArrayInputStream(prolog.bytes), buffered);
        }
        this.ampersands = new AmpersandFilter(body);
        this.repaired = ampersands;
    }

    /** The stream to parse. */
    InputStream stream() {
        return repaired;
    }

    /** Repairs of the whole file (BOM, declaration): a warning on every row of the file. */
    List<Issue> fileRepairs() {
        return fileRepairs;
    }

    /** Stray ampersands escaped so far. */
    long ampersandsEscaped() {
        return ampersands.escaped;
    }

    /** The repaired prolog and how many bytes of the original it replaces, or null when nothing needs repair. */
    private Prolog prolog(byte[] head) {
        String text = new String(head, StandardCharsets.ISO_8859_1); // byte-preserving
        int start = 0;
        if (text.startsWith("\u00ef\u00bb\u00bf")) {
            start = 3;
            fileRepairs.add(Issue.warning(FIELD, BOM));
        }
        StringBuilder kept = new StringBuilder();
        String encoding = null;
        boolean declarationRepaired = false;
        int i = start;
        while (i < text.length()) {
            int ws = i;
            while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (text.startsWith("<?", i)) {
                int end = text.indexOf("?>", i);
                if (end < 0) {
                    i = ws;
                    break;
                }
                String pi = text.substring(i, end + 2);
                String target = pi.substring(2).split("[\\s?]", 2)[0];
                if (target.equalsIgnoreCase("xml")) {
                    boolean first = i == start && kept.isEmpty();
                    if (!first || !CANONICAL_DECLARATION.matcher(pi).matches()) {
                        declarationRepaired = true;
                    }
                    kept.append(text.substring(ws, i).replaceAll("[^\n]", "")); // keep line numbers of the original
                    Matcher m = ENCODING.matcher(pi);
                    if (encoding == null && m.find()) {
                        encoding = m.group(1);
                    }
                } else {
                    kept.append(text, ws, end + 2);
                }
                i = end + 2;
            } else if (text.startsWith("<!--", i)) {
                int end = text.indexOf("-->", i);
                if (end < 0) {
                    i = ws;
                    break;
                }
                kept.append(text, ws, end + 3);
                i = end + 3;
            } else {
                i = ws;
                break;
            }
        }
        if (!declarationRepaired && start == 0) {
            return null;
        }
        if (declarationRepaired) {
            fileRepairs.add(Issue.warning(FIELD, DECLARATION));
        }
        String declaration = !declarationRepaired ? "" : encoding == null ? "<?xml version=\"1.0\"?>"
                : "<?xml version=\"1.0\" encoding=\"" + encoding.toUpperCase(Locale.ROOT) + "\"?>";
        String rebuilt = declarationRepaired ? declaration + kept : text.substring(start, i);
        return new Prolog(rebuilt.getBytes(StandardCharsets.ISO_8859_1), i);
    }

    private record Prolog(byte[] bytes, int consumed) {
    }

    /** Escapes an {@code &} that starts no reference; counts how many. */
    private static final class AmpersandFilter extends FilterInputStream {
        private static final int LOOKAHEAD = 40;
        private final PushbackInputStream source;
        private final byte[] pending = new byte[4];
        private int pendingAt = 4;
        long escaped;

        AmpersandFilter(InputStream in) {
            super(new PushbackInputStream(in, LOOKAHEAD));
            this.source = (PushbackInputStream) super.in;
        }

        @Override
        public int read() throws IOException {
            if (pendingAt < pending.length) {
                return pending[pendingAt++];
            }
            int b = source.read();
            if (b != '&') {
                return b;
            }
            byte[] ahead = new byte[LOOKAHEAD];
            int n = source.readNBytes(ahead, 0, LOOKAHEAD);
            if (n > 0) {
                source.unread(ahead, 0, n);
            }
            if (!startsReference(ahead, n)) {
                escaped++;
                System.arraycopy("amp;".getBytes(StandardCharsets.US_ASCII), 0, pending, 0, 4);
                pendingAt = 0;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int count = 0;
            while (count < length) {
                int b = read();
                if (b < 0) {
                    return count == 0 ? -1 : count;
                }
                buffer[offset + count++] = (byte) b;
                if (b == '>' && count > 0) {
                    break; // hand whole tags to the parser promptly; it asks again
                }
            }
            return count;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = 0;
            while (skipped < n && read() >= 0) {
                skipped++;
            }
            return skipped;
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        /** {@code #digits;}, {@code #xhex;} or {@code name;} right after the {@code &}. */
        private static boolean startsReference(byte[] b, int n) {
            if (n == 0) {
                return false;
            }
            int i = 0;
            if (b[0] == '#') {
                i = 1;
                boolean hex = n > 1 && (b[1] == 'x');
                if (hex) {
                    i = 2;
                }
                int digits = i;
                while (i < n && (hex ? isHex(b[i]) : b[i] >= '0' && b[i] <= '9')) {
                    i++;
                }
                return i > digits && i < n && b[i] == ';';
            }
            if (!(isLetter(b[0]) || b[0] == '_' || b[0] == ':')) {
                return false;
            }
            while (i < n && (isLetter(b[i]) || (b[i] >= '0' && b[i] <= '9') || b[i] == '_' || b[i] == '-' || b[i] == '.' || b[i] == ':')) {
                i++;
            }
            return i < n && b[i] == ';';
        }

        private static boolean isLetter(byte c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        }

        private static boolean isHex(byte c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        }
    }
}
