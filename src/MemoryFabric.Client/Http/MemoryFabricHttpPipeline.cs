using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;
using Polly;
using Polly.Retry;

namespace MemoryFabric.Client.Http;

/// <summary>Sends API requests: builds the URI, sets the per-request headers (Bearer key, Accept, User-Agent),
/// bounds each attempt by the timeout, retries 429/503 as allowed (through a Polly retry strategy) and turns error
/// responses into <see cref="MemoryFabricApiException"/> (a refused note write into <see cref="MemoryFabricConflictException"/>).</summary>
internal sealed class MemoryFabricHttpPipeline
{
    private const int MaxErrorBodyCharacters = 64 * 1024;

    private static readonly ProductInfoHeaderValue UserAgent = new(
        "MemoryFabric.Client",
        typeof(MemoryFabricHttpPipeline).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
            ?? typeof(MemoryFabricHttpPipeline).Assembly.GetName().Version?.ToString()
            ?? "1.0.0");

    private readonly HttpClient _http;
    private readonly Uri _baseUri;
    private readonly AuthenticationHeaderValue? _authorization;
    /// <summary>The key of the request's <see cref="RetryMode"/> in the Polly context.</summary>
    private static readonly ResiliencePropertyKey<RetryMode> RetryModeKey = new("MemoryFabric.RetryMode");

    private readonly TimeSpan _timeout;
    private readonly TimeSpan _maxRetryDelay;
    private readonly TimeProvider _timeProvider;
    private readonly ResiliencePipeline<ApiResponse>? _retry;

    public MemoryFabricHttpPipeline(HttpClient httpClient, MemoryFabricClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = httpClient;
        var baseUri = options.HasEndpoint || httpClient.BaseAddress is null ? options.Endpoint : httpClient.BaseAddress;
        _baseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        _authorization = string.IsNullOrEmpty(options.ApiKey) ? null : new AuthenticationHeaderValue("Bearer", options.ApiKey);
        _timeout = options.Timeout;
        _maxRetryDelay = options.MaxRetryDelay;
        _timeProvider = options.TimeProvider;
        MaxBatchSize = options.MaxBatchSize;
        _retry = options.MaxRetries == 0 ? null : CreateRetryPipeline(options);
    }

    /// <summary>The configured batch size of the batching ingest.</summary>
    public int MaxBatchSize { get; }

    /// <summary>The base URI requests are made relative to (ends with a slash).</summary>
    public Uri BaseUri => _baseUri;

    /// <summary>Makes the exception thrown when an attempt times out.</summary>
    /// <param name="request">The request that timed out.</param>
    /// <returns>The exception.</returns>
    public static TimeoutException Timeout(HttpRequestMessage? request) =>
        new($"The MemoryFabric request {request?.Method} {request?.RequestUri?.AbsolutePath} timed out.");

    /// <summary>Makes the exception thrown when the caller cancels: it carries the caller's token, not the linked
    /// token of the attempt.</summary>
    /// <param name="inner">The cancellation observed.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The exception.</returns>
    public static TaskCanceledException CallerCanceled(OperationCanceledException inner, CancellationToken cancellationToken) =>
        new(inner.Message, inner, cancellationToken);

    /// <summary>Sends a request and throws unless it succeeds (or is a 404 that the request treats as a result); a 429
    /// or 503 answer is retried as <see cref="ApiRequest.Retry"/> allows.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The response; the caller disposes it.</returns>
    public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        if (_retry is null || request.Retry == RetryMode.None)
        {
            return await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RetryModeKey, request.Retry);
        try
        {
            return await _retry.ExecuteAsync(
                static (ctx, state) => new ValueTask<ApiResponse>(state.Pipeline.SendOnceAsync(state.Request, ctx.CancellationToken)),
                context,
                (Pipeline: this, Request: request)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>The retry strategy: <see cref="MemoryFabricClientOptions.MaxRetries"/> retries of the answers
    /// <see cref="IsRetryable"/> accepts, after the server's <c>Retry-After</c> or an exponential back-off from
    /// <see cref="MemoryFabricClientOptions.RetryDelay"/> capped at <see cref="MemoryFabricClientOptions.MaxRetryDelay"/>,
    /// without jitter, on <see cref="MemoryFabricClientOptions.TimeProvider"/>.</summary>
    private ResiliencePipeline<ApiResponse> CreateRetryPipeline(MemoryFabricClientOptions options) =>
        new ResiliencePipelineBuilder<ApiResponse> { TimeProvider = options.TimeProvider }
            .AddRetry(new RetryStrategyOptions<ApiResponse>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is MemoryFabricApiException error
                    && IsRetryable(args.Context.Properties.GetValue(RetryModeKey, RetryMode.None), error)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is MemoryFabricApiException { RetryAfter: { } retryAfter } ? retryAfter : (TimeSpan?)null),
            })
            .Build();

    /// <summary>Whether an error answer may be retried: a 429 unless the request forbids any retry, a 503 for an
    /// idempotent request, and never when the server's <c>Retry-After</c> asks for more than the longest wait
    /// accepted.</summary>
    private bool IsRetryable(RetryMode mode, MemoryFabricApiException error)
    {
        var retryable = error.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => mode is RetryMode.OnTooManyRequests or RetryMode.Idempotent,
            HttpStatusCode.ServiceUnavailable => mode is RetryMode.Idempotent,
            _ => false,
        };
        return retryable && (error.RetryAfter is not { } retryAfter || retryAfter <= _maxRetryDelay);
    }

    /// <summary>Makes one attempt: throws <see cref="MemoryFabricApiException"/> for an error answer.</summary>
    private async Task<ApiResponse> SendOnceAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseUri, request.Path);
        cancellationToken.ThrowIfCancellationRequested();
        using var message = new HttpRequestMessage(request.Method, uri);
        message.Headers.Authorization = _authorization;
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(request.Accept));
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
        message.Headers.UserAgent.Add(UserAgent);
        if (request.IfMatchVersion is { } version)
        {
            message.Headers.IfMatch.Add(new EntityTagHeaderValue("\"" + version.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\""));
        }

        message.Content = request.Content?.Invoke();

        var attemptCts = _timeout == System.Threading.Timeout.InfiniteTimeSpan
            ? null
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        attemptCts?.CancelAfter(_timeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(
                message,
                request.StreamResponse ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead,
                attemptCts?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attemptCts is { IsCancellationRequested: true })
        {
            attemptCts.Dispose();
            throw Timeout(message);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested && e.CancellationToken != cancellationToken)
        {
            attemptCts?.Dispose();
            throw CallerCanceled(e, cancellationToken);
        }
        catch
        {
            attemptCts?.Dispose();
            throw;
        }

        if (response.IsSuccessStatusCode || (request.NotFoundIsResult && response.StatusCode == HttpStatusCode.NotFound))
        {
            return new ApiResponse(response, attemptCts, cancellationToken);
        }

        MemoryFabricApiException error;
        try
        {
            error = await CreateExceptionAsync(response, message, attemptCts?.Token ?? cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && attemptCts is { IsCancellationRequested: true })
        {
            throw Timeout(message);
        }
        catch (OperationCanceledException e) when (cancellationToken.IsCancellationRequested && e.CancellationToken != cancellationToken)
        {
            throw CallerCanceled(e, cancellationToken);
        }
        finally
        {
            response.Dispose();
            attemptCts?.Dispose();
        }

        throw error;
    }

    private async Task<MemoryFabricApiException> CreateExceptionAsync(
        HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (body.Length > MaxErrorBodyCharacters)
        {
            body = body[..MaxErrorBodyCharacters];
        }

        var problem = ParseProblem(body, response);
        if (MemoryFabricConflictException.Describes(response.StatusCode, problem))
        {
            return new MemoryFabricConflictException(response.StatusCode, problem, body.Length == 0 ? null : body, request.Method.Method, request.RequestUri?.AbsolutePath);
        }

        return new MemoryFabricApiException(
            response.StatusCode,
            problem,
            body.Length == 0 ? null : body,
            GetRetryAfter(response),
            request.Method.Method,
            request.RequestUri?.AbsolutePath);
    }

    private TimeSpan? GetRetryAfter(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - _timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>Parses problem details leniently; a body that is not a JSON object becomes the detail of a problem
    /// made from the status.</summary>
    /// <param name="body">The response body.</param>
    /// <param name="response">The response.</param>
    /// <returns>The problem.</returns>
    internal static MemoryFabricProblem ParseProblem(string body, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var fallback = new MemoryFabricProblem
        {
            Status = status,
            Title = response.ReasonPhrase ?? response.StatusCode.ToString(),
            Detail = string.IsNullOrWhiteSpace(body) ? null : body,
        };
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return fallback;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? type = null, title = null, detail = null, instance = null;
            int? problemStatus = null;
            Dictionary<string, string[]>? errors = null;
            Dictionary<string, JsonElement>? extensions = null;
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "type":
                        type = AsString(property.Value);
                        break;
                    case "title":
                        title = AsString(property.Value);
                        break;
                    case "detail":
                        detail = AsString(property.Value);
                        break;
                    case "instance":
                        instance = AsString(property.Value);
                        break;
                    case "status" when property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetInt32(out var s):
                        problemStatus = s;
                        break;
                    case "errors" when property.Value.ValueKind == JsonValueKind.Object:
                        errors = [];
                        foreach (var field in property.Value.EnumerateObject())
                        {
                            errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                                ? [.. field.Value.EnumerateArray().Select(e => AsString(e) ?? string.Empty)]
                                : [AsString(field.Value) ?? string.Empty];
                        }

                        break;
                    default:
                        (extensions ??= [])[property.Name] = property.Value.Clone();
                        break;
                }
            }

            return new MemoryFabricProblem
            {
                Type = type,
                Title = title ?? fallback.Title,
                Status = problemStatus ?? status,
                Detail = detail,
                Instance = instance,
                Errors = errors,
                Extensions = extensions,
            };
        }
        catch (JsonException)
        {
            return fallback;
        }
    }

    private static string? AsString(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => element.GetRawText(),
    };
}
