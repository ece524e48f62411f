using System.Text;
using MemoryFabric.Retrieval;
using MemoryFabric.Server.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MemoryFabric.Server.Tests.Api;

/// <summary>The body reader directly, over a fake request: the buffer grows with the bytes that arrive, never with the
/// size a client declares; the limit still holds.</summary>
public sealed class JsonBodyTests
{
    private const long Limit = 64L * 1024 * 1024;

    [Fact]
    public async Task A_huge_declared_length_with_a_tiny_body_does_not_allocate_the_declared_size()
    {
        var json = "{\"query\":\"where is the cat?\",\"limit\":3}"u8.ToArray();
        const long declared = 48L * 1024 * 1024; // within the limit
        using (await JsonBody.ReadBytesAsync(Request(json, declared)))
        {
            // warm up: the pool's first buffer, the code paths
        }

        var context = Request(json, declared);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var read = JsonBody.ReadBytesAsync(context);
        Assert.True(read.IsCompleted); // a memory stream completes synchronously: everything above ran on this thread
        using var body = await read;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 256 * 1024, $"Reading a {json.Length}-byte body that declared {declared:N0} bytes allocated {allocated:N0} bytes.");
        Assert.Equal(json, body.Memory.ToArray());

        var request = await JsonBody.ReadAsync<SearchRequest>(Request(json, declared));
        Assert.Equal("where is the cat?", request.Query);
        Assert.Equal(3, request.Limit);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_arriving_in_small_reads_is_read_whole_across_the_buffer_growth(bool declareLength)
    {
        var text = "{\"query\":\"" + string.Concat(Enumerable.Range(0, 20_000).Select(i => (char)('a' + (i % 26)))) + "\",\"limit\":7}";
        var json = Encoding.UTF8.GetBytes(text); // > 16 KiB: the first buffer grows at least once

        using var body = await JsonBody.ReadBytesAsync(Request(json, declareLength ? json.Length : null, chunk: 1000));
        Assert.Equal(json, body.Memory.ToArray());

        var request = await JsonBody.ReadAsync<SearchRequest>(Request(json, declareLength ? json.Length : null, chunk: 777));
        Assert.Equal(20_000, request.Query.Length);
        Assert.Equal(7, request.Limit);
    }

    [Fact]
    public async Task A_body_up_to_the_limit_is_read_and_one_byte_more_is_a_413()
    {
        const int limit = 40_000;
        var exact = new byte[limit];
        Array.Fill(exact, (byte)' ');

        using (var body = await JsonBody.ReadBytesAsync(Request(exact, null, limit: limit, chunk: 4096)))
        {
            Assert.Equal(limit, body.Length);
        }

        var over = new byte[limit + 1];
        var undeclared = await Assert.ThrowsAsync<RequestRejectedException>(() => JsonBody.ReadBytesAsync(Request(over, null, limit: limit, chunk: 4096)));
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, undeclared.Status);

        // A body longer than it declared is caught as it arrives; one that declares too much before a byte is read.
        var understated = await Assert.ThrowsAsync<RequestRejectedException>(() => JsonBody.ReadBytesAsync(Request(over, 10, limit: limit)));
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, understated.Status);
        var declaredTooMuch = await Assert.ThrowsAsync<RequestRejectedException>(() => JsonBody.ReadBytesAsync(Request([], limit + 1, limit: limit)));
        Assert.Equal(StatusCodes.Status413PayloadTooLarge, declaredTooMuch.Status);
    }

    private static DefaultHttpContext Request(byte[] body, long? declaredLength, long limit = Limit, int? chunk = null)
    {
        var services = new ServiceCollection();
        services.Configure<MemoryFabricServerOptions>(o => o.MaxRequestBodySize = limit);
        var context = new DefaultHttpContext { RequestServices = services.BuildServiceProvider() };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = declaredLength;
        context.Request.Body = chunk is { } c ? new TrickleStream(body, c) : new MemoryStream(body);
        return context;
    }

    // Hands out at most a few bytes per read, as a network does.
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);
    }
}
