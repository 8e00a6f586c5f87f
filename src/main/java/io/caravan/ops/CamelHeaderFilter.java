package io.caravan.ops;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Strips inbound HTTP headers whose names start with {@code Camel} (any case), so that no caller
 * can set Camel's own message headers (file names, SQL, HTTP targets...) through the API. Runs
 * before everything else; the rest of the application never sees such a header. A request that
 * carried one is handed on with its other header names in lower case.
 */
final class CamelHeaderFilter extends OncePerRequestFilter {

    static boolean isCamelHeader(String name) {
        return name != null && name.length() >= 5 && name.regionMatches(true, 0, "camel", 0, 5);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        chain.doFilter(hasCamelHeader(request) ? new WithoutCamelHeaders(request) : request, response);
    }

    private static boolean hasCamelHeader(HttpServletRequest request) {
        Enumeration<String> names = request.getHeaderNames();
        if (names == null) {
            return false;
        }
        while (names.hasMoreElements()) {
            if (isCamelHeader(names.nextElement())) {
                return true;
            }
        }
        return false;
    }

    private static final class WithoutCamelHeaders extends HttpServletRequestWrapper {
        WithoutCamelHeaders(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getHeader(String name) {
            return isCamelHeader(name) ? null : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return isCamelHeader(name) ? Collections.emptyEnumeration() : super.getHeaders(name);
        }

        /** The remaining names in lower case (names are case-insensitive; HTTP/2 sends them so), each once. */
        @Override
        public Enumeration<String> getHeaderNames() {
            Set<String> names = new LinkedHashSet<>();
            for (String name : Collections.list(super.getHeaderNames())) {
                if (!isCamelHeader(name)) {
                    names.add(name.toLowerCase(Locale.ROOT));
                }
            }
            return Collections.enumeration(names);
        }

        @Override
        public long getDateHeader(String name) {
            return isCamelHeader(name) ? -1 : super.getDateHeader(name);
        }

        @Override
        public int getIntHeader(String name) {
            return isCamelHeader(name) ? -1 : super.getIntHeader(name);
        }

        @Override
        public String toString() {
            return "WithoutCamelHeaders[" + getRequest().getClass().getSimpleName() + "]";
        }
    }

}
