using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MemoryFabric.Serialization;

namespace MemoryFabric.Client.Http;

/// <summary>A successful (or designed 404) response, with the attempt's timeout still running until disposed.</summary>
internal sealed class ApiResponse : IDisposable
{
    private readonly CancellationTokenSource? _attempt;
    private readonly CancellationToken _callerToken;
    private bool _timeoutStopped;

    internal ApiResponse(HttpResponseMessage message, CancellationTokenSource? attempt, CancellationToken callerToken)
    {
        Message = message;
        _attempt = attempt;
        _callerToken = callerToken;
    }

    /// <summary>The HTTP response.</summary>
    public HttpResponseMessage Message { get; }

    /// <summary>Whether the response is a 404.</summary>
    public bool IsNotFound => Message.StatusCode == HttpStatusCode.NotFound;

    /// <summary>The token bounding work on this response: the caller's, plus the attempt's timeout.</summary>
    public CancellationToken Token => _attempt is null || _timeoutStopped ? _callerToken : _attempt.Token;

    /// <summary>Reads the JSON body.</summary>
    /// <typeparam name="T">The body's type.</typeparam>
    /// <returns>The body.</returns>
    public async Task<T> ReadJsonAsync<T>()
    {
        try
        {
            var value = await Message.Content.ReadFromJsonAsync<T>(MemoryFabricJson.Options, Token).ConfigureAwait(false);
            return value ?? throw new JsonException(
                $"The MemoryFabric server answered {Message.RequestMessage?.Method} {Message.RequestMessage?.RequestUri?.AbsolutePath} with an empty (null) body.");
        }
        catch (OperationCanceledException) when (!_callerToken.IsCancellationRequested && !_timeoutStopped && _attempt is { IsCancellationRequested: true })
        {
            throw MemoryFabricHttpPipeline.Timeout(Message.RequestMessage);
        }
        catch (OperationCanceledException e) when (_callerToken.IsCancellationRequested && e.CancellationToken != _callerToken)
        {
            throw MemoryFabricHttpPipeline.CallerCanceled(e, _callerToken);
        }
    }

    /// <summary>Ends the attempt's timeout: from now on only the caller's token bounds the work.</summary>
    public void StopTimeout()
    {
        _timeoutStopped = true;
        _attempt?.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _attempt?.Dispose();
        Message.Dispose();
    }
}
