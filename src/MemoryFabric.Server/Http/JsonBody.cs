using System.Buffers;
using System.Text.Json;
using MemoryFabric.Serialization;
using Microsoft.Extensions.Options;

namespace MemoryFabric.Server.Http;

/// <summary>Reads request bodies: content type, size limit, UTF-8 and JSON checked, with errors that say where.</summary>
internal static class JsonBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context)
        where T : class
    {
        EnsureContentType(context.Request, "application/json", allowSuffix: true);
        using var body = await ReadBytesAsync(context).ConfigureAwait(false);
        if (body.Length == 0)
        {
            throw RequestRejectedException.Invalid("The request body is empty; a JSON object is expected.");
        }

        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(body.Memory.Span, MemoryFabricJson.Options);
        }
        catch (JsonException e)
        {
            throw RequestRejectedException.Invalid(Describe(e));
        }
        catch (InvalidOperationException e)
        {
            throw RequestRejectedException.Invalid("The body is not valid JSON: " + e.Message);
        }

        return value ?? throw RequestRejectedException.Invalid("The request body is JSON null; a JSON object is expected.");
    }

    /// <summary>Reads the whole body into a buffer rented from <see cref="ArrayPool{T}.Shared"/>, which grows as
    /// bytes arrive (doubling, never past the limit): a declared Content-Length only refuses a body over the limit at
    /// once, it reserves nothing, so a client that declares a large body and sends a few bytes costs a few bytes.</summary>
    /// <param name="context">The request.</param>
    /// <returns>The body; dispose it to return the buffer to the pool.</returns>
    public static async Task<PooledBody> ReadBytesAsync(HttpContext context)
    {
        var limit = Math.Min(context.RequestServices.GetRequiredService<IOptions<MemoryFabricServerOptions>>().Value.MaxRequestBodySize, Array.MaxLength - 1);
        if (context.Request.ContentLength is { } declared && declared > limit)
        {
            throw TooLarge(limit);
        }

        var pool = ArrayPool<byte>.Shared;
        var buffer = pool.Rent((int)Math.Min(InitialBuffer, limit + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var grown = pool.Rent((int)Math.Min((long)buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, length).CopyTo(grown);
                    pool.Return(buffer);
                    buffer = grown;
                }

                // At most one byte past the limit: enough to know the body is too large.
                var room = (int)Math.Min(buffer.Length - length, limit + 1 - length);
                var read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, room), context.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    return new PooledBody(buffer, length);
                }

                length += read;
                if (length > limit)
                {
                    throw TooLarge(limit);
                }
            }
        }
        catch
        {
            pool.Return(buffer);
            throw;
        }
    }

    public static void EnsureContentType(HttpRequest request, string expected, bool allowSuffix)
    {
        var type = request.ContentType;
        if (type is null)
        {
            if (request.ContentLength is null or 0 && !request.Headers.TransferEncoding.Any())
            {
                return; // no body at all: the reader reports it as empty
            }

            throw Unsupported(expected);
        }

        var mediaType = type.Split(';', 2)[0].Trim();
        if (string.Equals(mediaType, expected, StringComparison.OrdinalIgnoreCase)
            || (allowSuffix && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        throw Unsupported(expected);
    }

    public static string Describe(JsonException e)
    {
        var where = e.Path is { Length: > 0 } path ? $" at {path}" : string.Empty;
        var position = e.LineNumber is { } line ? $" (line {line + 1}, byte {e.BytePositionInLine + 1})" : string.Empty;
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut > 0)
        {
            message = message[..cut];
        }

        return $"The body is not valid{where}{position}: {message}";
    }

    // The first buffer: enough for most requests in one read, small enough that a declared size costs nothing.
    private const int InitialBuffer = 16 * 1024;

    private static RequestRejectedException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "body-too-large", "The request body is too large", $"The body exceeds {limit:N0} bytes (MemoryFabric:MaxRequestBodySize).");

    private static RequestRejectedException Unsupported(string expected) =>
        new(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported content type", $"Send the body as {expected}.");
}

/// <summary>A request body read by <see cref="JsonBody.ReadBytesAsync"/>, in a buffer rented from
/// <see cref="ArrayPool{T}.Shared"/>; disposing returns the buffer, after which <see cref="Memory"/> is empty.</summary>
internal sealed class PooledBody(byte[] buffer, int length) : IDisposable
{
    private byte[]? _buffer = buffer;

    /// <summary>The bytes.</summary>
    public ReadOnlyMemory<byte> Memory => _buffer is { } b ? b.AsMemory(0, Length) : ReadOnlyMemory<byte>.Empty;

    /// <summary>How many bytes.</summary>
    public int Length { get; } = length;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } b)
        {
            ArrayPool<byte>.Shared.Return(b);
        }
    }
}
