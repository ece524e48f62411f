using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text.Json;

namespace MemoryFabric.Client.Http;

/// <summary>Sends API requests: builds the URI, sets the per-request headers (Bearer key, Accept, User-Agent),
/// bounds each attempt by the timeout, retries 429/503 as allowed and turns error responses into
/// <see cref="MemoryFabricApiException"/>.</summary>
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
    private readonly TimeSpan _timeout;
    private readonly int _maxRetries;
    private readonly TimeSpan _retryDelay;
    private readonly TimeSpan _maxRetryDelay;
    private readonly TimeProvider _timeProvider;

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
        _maxRetries = options.MaxRetries;
        _retryDelay = options.RetryDelay;
        _maxRetryDelay = options.MaxRetryDelay;
        _timeProvider = options.TimeProvider;
        MaxBatchSize = options.MaxBatchSize;
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

    /// <summary>Sends a request and throws unless it succeeds (or is a 404 that the request treats as a result).</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The response; the caller disposes it.</returns>
    public async Task<ApiResponse> SendAsync(ApiRequest request, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseUri, request.Path);
        for (var attempt = 0; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var message = new HttpRequestMessage(request.Method, uri);
            message.Headers.Authorization = _authorization;
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(request.Accept));
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/problem+json"));
            message.Headers.UserAgent.Add(UserAgent);
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

            var delay = RetryDelay(request, error, attempt);
            if (delay is null)
            {
                throw error;
            }

            await Task.Delay(delay.Value, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The wait before the next attempt, or <see langword="null"/> when the call must not be retried.</summary>
    private TimeSpan? RetryDelay(ApiRequest request, MemoryFabricApiException error, int attempt)
    {
        if (attempt >= _maxRetries)
        {
            return null;
        }

        var retryable = error.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => request.Retry is RetryMode.OnTooManyRequests or RetryMode.Idempotent,
            HttpStatusCode.ServiceUnavailable => request.Retry is RetryMode.Idempotent,
            _ => false,
        };
        if (!retryable)
        {
            return null;
        }

        if (error.RetryAfter is { } retryAfter)
        {
            return retryAfter <= _maxRetryDelay ? retryAfter : null;
        }

        var backoff = _retryDelay * Math.Pow(2, Math.Min(attempt, 16));
        return backoff <= _maxRetryDelay ? backoff : _maxRetryDelay;
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
