package io.ippool.http.resource;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.Json;
import io.ippool.errors.ApiException;
import io.ippool.http.Negotiation;
import io.ippool.http.QueryFlags;
import io.ippool.http.RequestInfo;
import io.ippool.http.Responses;
import io.ippool.registry.KindDefinition;
import io.ippool.store.ResourceStore;
import io.ippool.store.watch.EventHub;
import io.ippool.store.watch.EventSubscriber;
import io.ippool.store.watch.StoredEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watch streams: newline-delimited WatchEvents over a chunked 200 response, from the process's
 * {@link EventHub}. Implements the starting points of kube's "Semantics for watch", selector transitions,
 * bookmarks (incl. the initial-events-end bookmark of WatchList), timeouts and Table/metadata transforms.
 */
public final class WatchHandler {
  private static final long BOOKMARK_INTERVAL_MS = 60_000;
  private static final int MAX_QUEUED_BYTES = 16 * 1024 * 1024;
  /** WebSocket has no byte count: a client that stays this many events behind a full queue is cut off. */
  private static final int MAX_FULL_EVENTS = 10_000;

  private final Vertx vertx;
  private final ResourceStore store;
  private final EventHub hub;

  /** Open streams, so a shutting-down server can end each one cleanly instead of cutting connections. */
  private final Set<Stream> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Ends every open watch the way a timeout does (a clean end of the stream): clients see a finished watch and
   * re-watch from their last resourceVersion against another replica.
   */
  public void closeAll() {
    for (Stream s : open) {
      s.requestContext.runOnContext(v -> s.end());
    }
  }

  public WatchHandler(Vertx vertx, ResourceStore store, EventHub hub) {
    this.vertx = vertx;
    this.store = store;
    this.hub = hub;
  }

  public Future<Void> watch(RoutingContext ctx, RequestInfo ri, KindDefinition def) {
    Negotiation.Choice choice = Negotiation.negotiate(ctx.request().getHeader("Accept"), false);
    String rvParam = ctx.request().getParam("resourceVersion");
    String match = ctx.request().getParam("resourceVersionMatch");
    String sendInitial = ctx.request().getParam("sendInitialEvents");
    boolean bookmarks = QueryFlags.isTrue(ctx.request().getParam("allowWatchBookmarks"));
    List<FieldError> errs = new ArrayList<>();
    if (match != null && !match.isEmpty() && sendInitial == null) {
      errs.add(FieldError.forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless "
          + "sendInitialEvents is provided"));
    }
    if (sendInitial != null && !"NotOlderThan".equals(match)) {
      errs.add(FieldError.forbidden("sendInitialEvents", "sendInitialEvents requires setting "
          + "resourceVersionMatch to NotOlderThan"));
    }
    if (!errs.isEmpty()) {
      throw ApiException.invalid("meta.k8s.io", "ListOptions", "", errs);
    }
    Long rv;
    try {
      rv = rvParam == null || rvParam.isEmpty() ? null : Long.parseUnsignedLong(rvParam);
    } catch (NumberFormatException e) {
      throw ApiException.invalid("meta.k8s.io", "ListOptions", "", List.of(FieldError.invalid("resourceVersion",
          rvParam, "strconv.ParseUint: parsing \"" + rvParam + "\": invalid syntax")));
    }
    ReadHandlers.ListQuery q = ReadHandlers.listQuery(ctx, def, true);
    String nameFromPath = ri.name();
    // Get State semantics: RV unset or "0" (and WatchList's sendInitialEvents=true) start with the current state.
    boolean initial = sendInitial != null ? QueryFlags.isTrue(sendInitial) : (rv == null || rv == 0);
    boolean endBookmark = initial && bookmarks;
    long timeoutMs = timeoutMs(ctx.request().getParam("timeoutSeconds"));
    String ns = def.kind().namespaced() ? (ri.namespace().isEmpty() ? null : ri.namespace()) : "";

    Stream stream = new Stream(ctx, def, choice, q, ns, nameFromPath, bookmarks);
    open.add(stream);
    // kube-apiserver serves watches over WebSocket too, one event per text message; fabric8 tries that first.
    // The upgrade happens before any query, while the request is still the one being handled.
    boolean upgrade = isWebSocketUpgrade(ctx);
    Future<Void> ready = upgrade
        ? ctx.request().toWebSocket().map(ws -> {
          stream.ws = ws;
          return null;
        })
        : Future.succeededFuture();
    return ready.compose(v -> start(stream, def, ns, rv, initial, endBookmark, timeoutMs))
        // Once upgraded, an HTTP error response is no longer possible: the error goes out as an ERROR event.
        .recover(err -> stream.ws != null ? stream.fail(err) : Future.failedFuture(err));
  }

  private Future<Void> start(Stream stream, KindDefinition def, String ns, Long rv, boolean initial,
                             boolean endBookmark, long timeoutMs) {
    Future<Long> start;
    if (initial) {
      start = store.list(def.kind(), ns, null, "", "", 0, stream::matches).map(page -> {
        stream.begin();
        for (ObjectNode o : page.items()) {
          stream.inView.add(key(o));
          stream.send("ADDED", o);
        }
        if (endBookmark) {
          long end = page.resourceVersion();
          // Queued behind the ADDED events just posted, like every write of the stream.
          stream.requestContext.runOnContext(v -> stream.bookmark(end, true));
        }
        return page.resourceVersion();
      });
    } else if (stream.tracksView()) {
      long from = rv;
      start = store.list(def.kind(), ns, from, "", "", 0, stream::matches).map(page -> {
        page.items().forEach(o -> stream.inView.add(key(o)));
        stream.begin();
        return from;
      }).recover(err -> err instanceof ApiException e && e.code() == 410 ? Future.succeededFuture(from)
          : Future.failedFuture(err));
    } else {
      stream.begin();
      start = Future.succeededFuture(rv);
    }
    return start.map(from -> {
      stream.follow(from, timeoutMs);
      return null;
    });
  }

  private static boolean isWebSocketUpgrade(RoutingContext ctx) {
    String connection = ctx.request().getHeader("Connection");
    return ctx.request().version() == io.vertx.core.http.HttpVersion.HTTP_1_1
        && "websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"))
        && connection != null && connection.toLowerCase(java.util.Locale.ROOT).contains("upgrade");
  }

  private static long timeoutMs(String param) {
    if (param != null && !param.isEmpty()) {
      try {
        return Math.max(1, Long.parseLong(param)) * 1000;
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid timeoutSeconds: " + param);
      }
    }
    // kube-apiserver: minRequestTimeout (30 min) x [1, 2), so watchers do not all reconnect at once.
    return (long) (1_800_000 * (1 + ThreadLocalRandom.current().nextDouble()));
  }

  static String key(ObjectNode o) {
    return o.path("metadata").path("namespace").asText("") + "/" + o.path("metadata").path("name").asText("");
  }

  /**
   * One open watch. Events arrive on the hub's context; everything written to the client is posted from there to
   * the request's context, in order, so a bookmark (also decided on the hub's context) can never overtake an
   * event it covers.
   */
  private final class Stream implements EventSubscriber {
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final KindDefinition def;
    private final Negotiation.Choice choice;
    private final ReadHandlers.ListQuery query;
    private final String namespace;
    private final String pathName;
    private final boolean bookmarks;
    private final Set<String> inView = new HashSet<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean headersSent;
    /** Set when the client upgraded to WebSocket: events go out as text messages instead of lines. */
    private ServerWebSocket ws;
    private EventHub.Subscription subscription;
    private long lastRv;
    private int fullEvents;
    private final List<Long> timers = new ArrayList<>();
    private final io.vertx.core.Context requestContext = vertx.getOrCreateContext();

    Stream(RoutingContext ctx, KindDefinition def, Negotiation.Choice choice, ReadHandlers.ListQuery query,
           String namespace, String pathName, boolean bookmarks) {
      this.ctx = ctx;
      this.response = ctx.response();
      this.def = def;
      this.choice = choice;
      this.query = query;
      this.namespace = namespace;
      this.pathName = pathName;
      this.bookmarks = bookmarks;
    }

    /** With selectors, kube turns transitions into ADDED/DELETED; that needs the set of objects in view. */
    boolean tracksView() {
      return query.hasSelectors() || !pathName.isEmpty();
    }

    boolean matches(ObjectNode o) {
      return (pathName.isEmpty() || pathName.equals(o.path("metadata").path("name").asText()))
          && query.matches(o);
    }

    void begin() {
      if (ws != null) {
        ws.closeHandler(v -> close());
        ws.exceptionHandler(e -> close());
        return;
      }
      response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-cache, private");
      response.write(Buffer.buffer()); // flush headers: clients wait for them before reading events
      response.closeHandler(v -> close());
      ctx.request().connection().closeHandler(v -> close());
    }

    void follow(long from, long timeoutMs) {
      lastRv = from;
      subscription = hub.subscribe(from, this);
      timers.add(vertx.setTimer(timeoutMs, id -> end()));
      if (bookmarks) {
        // lastRv is what this subscription has processed (delivered or filtered out), read on the hub's
        // context, so the bookmark is queued behind every event at or below it.
        timers.add(vertx.setPeriodic(BOOKMARK_INTERVAL_MS, id -> hub.runOnHub(() -> {
          long rv = lastRv;
          requestContext.runOnContext(v -> bookmark(rv, false));
        })));
      }
    }

    @Override
    public boolean onEvent(StoredEvent e) {
      if (closed.get()) {
        return false;
      }
      lastRv = e.resourceVersion();
      if (!e.resource().equals(def.kind().plural()) || (namespace != null && !namespace.equals(e.namespace()))) {
        return true;
      }
      if (!tracksView()) {
        send(e.type(), e.object());
        return !closed.get();
      }
      String k = e.namespace() + "/" + e.name();
      boolean now = !e.type().equals("DELETED") && matches(e.object());
      boolean before = inView.contains(k);
      if (e.type().equals("DELETED")) {
        if (before || matches(e.object())) {
          inView.remove(k);
          send("DELETED", e.object());
        }
      } else if (now) {
        inView.add(k);
        send(before ? "MODIFIED" : "ADDED", e.object());
      } else if (before) {
        inView.remove(k);
        send("DELETED", e.object());
      }
      if (ws != null ? ws.writeQueueFull() && (++fullEvents > MAX_FULL_EVENTS)
          : response.writeQueueFull() && response.bytesWritten() > MAX_QUEUED_BYTES) {
        end(); // a client this far behind is better off relisting than holding server memory
        return false;
      }
      return !closed.get();
    }

    /** Metadata-only streams never show status; other kinds' events are dropped in onEvent. */
    @Override
    public boolean needsProjected(String resource) {
      return resource.equals(def.kind().plural()) && choice.format() != Negotiation.Format.PARTIAL;
    }

    @Override
    public void onExpired(long requested, long oldest) {
      ctx.vertx().runOnContext(v -> {
        ApiException gone = ApiException.gone("too old resource version: " + requested + " (" + oldest + ")");
        writeEvent("ERROR", Responses.statusDocument(gone));
        end();
      });
    }

    void send(String type, ObjectNode obj) {
      ObjectNode rendered = switch (choice.format()) {
        case TABLE -> {
          ObjectNode meta = Responses.F.objectNode();
          meta.put("resourceVersion", obj.path("metadata").path("resourceVersion").asText());
          boolean headers = !headersSent;
          headersSent = true;
          yield def.table().table(Rendering.tableApiVersion(choice), List.of(obj), meta,
              Rendering.includeObject(ctx), headers);
        }
        case PARTIAL -> Rendering.partial(choice, obj);
        default -> obj;
      };
      requestContext.runOnContext(v -> writeEvent(type, rendered));
    }

    void bookmark(long rv, boolean initialEventsEnd) {
      if (closed.get()) {
        return;
      }
      ObjectNode o = Responses.F.objectNode();
      o.put("kind", def.kind().kind());
      o.put("apiVersion", def.kind().apiVersion());
      ObjectNode meta = o.putObject("metadata");
      meta.put("resourceVersion", Long.toString(rv));
      if (initialEventsEnd) {
        meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
      }
      writeEvent("BOOKMARK", choice.format() == Negotiation.Format.PARTIAL ? Rendering.partial(choice, o) : o);
    }

    private void writeEvent(String type, ObjectNode object) {
      if (closed.get()) {
        return;
      }
      ObjectNode ev = Responses.F.objectNode();
      ev.put("type", type);
      ev.set("object", object);
      if (ws != null) {
        ws.writeTextMessage(Json.write(ev));
        return;
      }
      response.write(Buffer.buffer(Json.write(ev)).appendString("\n"));
    }

    private void end() {
      if (closed.compareAndSet(false, true)) {
        cleanup();
        if (ws != null) {
          if (!ws.isClosed()) {
            ws.close();
          }
        } else if (!response.ended() && !response.closed()) {
          response.end();
        }
      }
    }

    Future<Void> fail(Throwable err) {
      ApiException e = err instanceof ApiException a ? a : ApiException.internal(String.valueOf(err.getMessage()));
      writeEvent("ERROR", Responses.statusDocument(e));
      end();
      return Future.succeededFuture();
    }

    private void close() {
      if (closed.compareAndSet(false, true)) {
        cleanup();
      }
    }

    private void cleanup() {
      open.remove(this);
      timers.forEach(vertx::cancelTimer);
      if (subscription != null) {
        subscription.cancel();
      }
    }
  }
}
