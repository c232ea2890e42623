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
  /** Bytes a watcher may have queued and unwritten before it is ended (kube-apiserver ends slow watchers too). */
  public static final long DEFAULT_MAX_QUEUED_BYTES = 32L * 1024 * 1024;
  /** A full-object watcher gets held (coalesced) events only once its connection is down to this much queued. */
  private static final long READY_QUEUED_BYTES = 1024 * 1024;
  /** How long an ended slow watcher's connection may take to drain its last bytes before it is closed. */
  private static final long DRAIN_GRACE_MS = 5_000;

  private final Vertx vertx;
  private final ResourceStore store;
  private final EventHub hub;
  private final long maxQueuedBytes;

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
    this(vertx, store, hub, DEFAULT_MAX_QUEUED_BYTES);
  }

  /** @param maxQueuedBytes a watcher with more than this written but not yet taken by its client is ended */
  public WatchHandler(Vertx vertx, ResourceStore store, EventHub hub, long maxQueuedBytes) {
    this.vertx = vertx;
    this.store = store;
    this.hub = hub;
    this.maxQueuedBytes = maxQueuedBytes;
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
          stream.sendOwn("ADDED", o);
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
    /** Bytes handed to the connection and not yet written to the socket: what a slow client costs us. */
    private final java.util.concurrent.atomic.AtomicLong queued = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean tooSlow;
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
      // Not compressed: gzip would run per connection on every event (megabytes for a large pool's full object),
      // undoing the shared encoding; kube-apiserver does not compress watch streams either.
      response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "application/json")
          .putHeader("Cache-Control", "no-cache, private")
          .putHeader(io.vertx.core.http.HttpHeaders.CONTENT_ENCODING, io.vertx.core.http.HttpHeaders.IDENTITY);
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
          // Below any event the hub still holds for this watch, so a resume from here gets it again.
          long rv = subscription.safeRevision(lastRv);
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
        send(e.type(), e);
        return keepUp();
      }
      String k = e.namespace() + "/" + e.name();
      boolean now = !e.type().equals("DELETED") && matches(e.object());
      boolean before = inView.contains(k);
      if (e.type().equals("DELETED")) {
        if (before || matches(e.object())) {
          inView.remove(k);
          send("DELETED", e);
        }
      } else if (now) {
        inView.add(k);
        send(before ? "MODIFIED" : "ADDED", e);
      } else if (before) {
        inView.remove(k);
        send("DELETED", e);
      }
      return keepUp();
    }

    /**
     * Ends a watch whose client has not taken {@code maxQueuedBytes} of what it was sent, as kube-apiserver ends
     * a watcher that cannot keep up: with a 410 Expired ERROR event (its client re-lists), and the connection
     * closed if even that is not read soon. Memory per watcher stays bounded whatever the client does.
     */
    private boolean keepUp() {
      if (queued.get() <= maxQueuedBytes || closed.get()) {
        return !closed.get();
      }
      tooSlow = true;
      requestContext.runOnContext(v -> {
        ApiException gone = ApiException.gone("watch of " + def.kind().plural() + " ended: the client fell more than "
            + maxQueuedBytes + " bytes behind; list again");
        writeEvent("ERROR", Responses.statusDocument(gone));
        end();
        vertx.setTimer(DRAIN_GRACE_MS, id -> {
          if (queued.get() > 0) {
            ctx.request().connection().close();
          }
        });
      });
      return false;
    }

    /** Whether this watch shows full objects, whose projected fields (allocatedIPs) must be complete. */
    private boolean fullObjects() {
      return switch (choice.format()) {
        case PARTIAL -> false;
        case TABLE -> "Object".equals(Rendering.includeObject(ctx));
        default -> true;
      };
    }

    /** Metadata-only and Table rows never show allocatedIPs; other kinds' events are dropped in onEvent. */
    @Override
    public boolean needsProjected(String resource) {
      return resource.equals(def.kind().plural()) && fullObjects();
    }

    /** Full-object watches take the latest state of a pool that keeps changing (see README, "Watch"). */
    @Override
    public boolean coalescesModified() {
      return fullObjects();
    }

    @Override
    public boolean ready() {
      return queued.get() <= READY_QUEUED_BYTES;
    }

    @Override
    public void onExpired(long requested, long oldest) {
      ctx.vertx().runOnContext(v -> {
        ApiException gone = ApiException.gone("too old resource version: " + requested + " (" + oldest + ")");
        writeEvent("ERROR", Responses.statusDocument(gone));
        end();
      });
    }

    /** Sends an event of the log: its encoding is shared with every other watch that sends it the same way. */
    void send(String type, StoredEvent e) {
      boolean headers = choice.format() == Negotiation.Format.TABLE && !headersSent;
      headersSent |= headers;
      String key = (ws != null ? "ws " : "http ") + type + " " + choice.format() + " " + choice.transformVersion()
          + (choice.format() == Negotiation.Format.TABLE ? " " + Rendering.includeObject(ctx) + " " + headers : "");
      Buffer line = e.rendering(key, () -> encode(type, render(e.object(), headers)));
      post(line);
    }

    /** Sends an object of this watch's own (its initial list). */
    void sendOwn(String type, ObjectNode obj) {
      boolean headers = choice.format() == Negotiation.Format.TABLE && !headersSent;
      headersSent |= headers;
      post(encode(type, render(obj, headers)));
    }

    private ObjectNode render(ObjectNode obj, boolean headers) {
      return switch (choice.format()) {
        case TABLE -> {
          ObjectNode meta = Responses.F.objectNode();
          meta.put("resourceVersion", obj.path("metadata").path("resourceVersion").asText());
          yield def.table().table(Rendering.tableApiVersion(choice), List.of(obj), meta,
              Rendering.includeObject(ctx), headers);
        }
        case PARTIAL -> Rendering.partial(choice, obj);
        default -> obj;
      };
    }

    /** One WatchEvent as sent: a line of a chunked response, or one WebSocket text message. */
    private Buffer encode(String type, ObjectNode object) {
      ObjectNode ev = Responses.F.objectNode();
      ev.put("type", type);
      ev.set("object", object);
      Buffer b = Buffer.buffer(Json.write(ev));
      return ws != null ? b : b.appendString("\n");
    }

    /** Queues a write on the request's context, counting its bytes until the connection has written them. */
    private void post(Buffer line) {
      queued.addAndGet(line.length());
      requestContext.runOnContext(v -> write(line));
    }

    private void write(Buffer line) {
      if (closed.get()) {
        queued.addAndGet(-line.length());
        return;
      }
      Future<Void> done = ws != null ? ws.writeTextMessage(line.toString()) : response.write(line);
      done.onComplete(ar -> queued.addAndGet(-line.length()));
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

    /** Writes a message of this watch's own (ERROR, BOOKMARK) on the request's context. */
    private void writeEvent(String type, ObjectNode object) {
      if (closed.get()) {
        return;
      }
      Buffer line = encode(type, object);
      queued.addAndGet(line.length());
      write(line);
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
