package io.caravan.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A lineage backend in the test: an HTTP server on a free loopback port that takes OpenLineage
 * events at {@code POST /api/v1/lineage} (Marquez's endpoint) and keeps every body as received.
 * It can answer 201, answer 500, or hang (hold every request open until {@link #close}).
 */
public final class LineageReceiver implements AutoCloseable {
    /** How the receiver answers. */
    public enum Mode { ACCEPT, FAIL_500, HANG }

    private final HttpServer server;
    private final List<String> bodies = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch release = new CountDownLatch(1);

    private LineageReceiver(Mode mode) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "lineage-receiver");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/api/v1/lineage", exchange -> {
            requests.incrementAndGet();
            try (InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                switch (mode) {
                    case ACCEPT -> {
                        bodies.add(body);
                        exchange.sendResponseHeaders(201, -1);
                    }
                    case FAIL_500 -> exchange.sendResponseHeaders(500, -1);
                    case HANG -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        exchange.sendResponseHeaders(503, -1);
                    }
                }
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    public static LineageReceiver start(Mode mode) throws IOException {
        return new LineageReceiver(mode);
    }

    public String url() {
        return "http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort();
    }

    /** Bodies of accepted events, in arrival order. */
    public List<String> bodies() {
        return List.copyOf(bodies);
    }

    /** Requests received in any mode (including those still hanging). */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
    }
}
