using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MemoryFabric.Serialization;

namespace MemoryFabric.Client.Tests;

/// <summary>A request as the stub handler saw it.</summary>
internal sealed record RecordedRequest(
    HttpMethod Method,
    Uri Uri,
    string? Authorization,
    string? ContentType,
    string? Accept,
    string? Body)
{
    /// <summary>The path as sent on the wire (escaped).</summary>
    public string RawPath => Uri.AbsolutePath;

    /// <summary>The query as sent on the wire (escaped), with its '?'.</summary>
    public string Query => Uri.Query;

    public JsonNode Json => JsonNode.Parse(Body ?? throw new InvalidOperationException("no body"))!;

    /// <summary>The request's <c>If-Match</c> header, if any.</summary>
    public string? IfMatch { get; init; }
}

/// <summary>An <see cref="HttpMessageHandler"/> that records each request and answers from a function.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly Func<RecordedRequest, int, CancellationToken, Task<HttpResponseMessage>> _respond;
    private readonly List<RecordedRequest> _requests = [];
    private readonly Lock _gate = new();

    public StubHandler(Func<RecordedRequest, HttpResponseMessage> respond)
        : this((r, _, _) => Task.FromResult(respond(r)))
    {
    }

    public StubHandler(Func<RecordedRequest, int, CancellationToken, Task<HttpResponseMessage>> respond)
    {
        _respond = respond;
    }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public RecordedRequest Single => Assert.Single(Requests);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var recorded = new RecordedRequest(
            request.Method,
            request.RequestUri!,
            request.Headers.Authorization?.ToString(),
            request.Content?.Headers.ContentType?.ToString(),
            request.Headers.Accept.ToString(),
            body)
        {
            IfMatch = request.Headers.IfMatch.Count == 0 ? null : request.Headers.IfMatch.ToString(),
        };
        int index;
        lock (_gate)
        {
            _requests.Add(recorded);
            index = _requests.Count - 1;
        }

        var response = await _respond(recorded, index, cancellationToken);
        response.RequestMessage = request;
        return response;
    }

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public static HttpResponseMessage Json<T>(T value, HttpStatusCode status = HttpStatusCode.OK) =>
        Json(JsonSerializer.Serialize(value, MemoryFabricJson.Options), status);

    public static HttpResponseMessage Problem(HttpStatusCode status, string title, string? detail = null, string? extra = null)
    {
        var json = $$"""{"type":"https://memoryfabric.dev/problems/test","title":{{JsonSerializer.Serialize(title)}},"status":{{(int)status}},"detail":{{JsonSerializer.Serialize(detail)}},"instance":"/v1/x"{{(extra is null ? "" : "," + extra)}}}""";
        return new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/problem+json") };
    }

    public static HttpResponseMessage Status(HttpStatusCode status) => new(status);
}

/// <summary>A clock whose timers fire at once, recording the delays asked for.</summary>
internal sealed class InstantTimeProvider : TimeProvider
{
    private readonly List<TimeSpan> _delays = [];

    public DateTimeOffset Now { get; set; } = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    public IReadOnlyList<TimeSpan> Delays
    {
        get
        {
            lock (_delays)
            {
                return [.. _delays];
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => Now;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_delays)
            {
                _delays.Add(dueTime);
            }

            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return new NoopTimer();
    }

    private sealed class NoopTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>An <see cref="IProgress{T}"/> that records synchronously (unlike <see cref="Progress{T}"/>).</summary>
internal sealed class RecordingProgress : IProgress<int>
{
    public List<int> Values { get; } = [];

    public void Report(int value) => Values.Add(value);
}

internal static class TestClients
{
    public const string Key = "mfk_test_key";

    public static MemoryFabricClient Create(StubHandler handler, Action<MemoryFabricClientOptions>? configure = null)
    {
        var options = new MemoryFabricClientOptions { Endpoint = new Uri("http://memory.test:5080"), ApiKey = Key };
        configure?.Invoke(options);
        return new MemoryFabricClient(new HttpClient(handler), options);
    }
}
