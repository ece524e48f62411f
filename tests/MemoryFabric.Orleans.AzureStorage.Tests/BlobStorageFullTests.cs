using System.Net;
using System.Text;
using Azure;
using Azure.Core.Pipeline;
using Azure.Storage.Blobs;
using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary><see cref="BlobActorStateStore"/> when Azure Storage refuses writes for lack of space (507 Insufficient
/// Storage; Azurite cannot fill up, so a fake blob service answers): the store throws
/// <see cref="StorageFullException"/> (the server's 507), nothing is stored, and the same write succeeds once space
/// returns.</summary>
public sealed class BlobStorageFullTests
{
    private static readonly ActorId Agent = new("agent", "acme/full");

    [Fact]
    public async Task A_507_from_the_blob_service_is_storage_full_and_the_write_succeeds_once_space_returns()
    {
        using var service = new FakeBlobService { Full = true };
        var store = new BlobActorStateStore(service.Container());

        var append = await Assert.ThrowsAsync<StorageFullException>(() => store.AppendAsync(Agent, [Encoding.UTF8.GetBytes("turn")]));
        Assert.Equal(507, Assert.IsType<RequestFailedException>(append.InnerException).Status);
        Assert.Contains("nothing was stored", append.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageFullException>(() => store.WriteSnapshotAsync(Agent, Encoding.UTF8.GetBytes("snapshot"), 0, 0));
        Assert.Empty(service.Stored);

        // Space returns: the same append is stored, with the sequence the refused one would have had.
        service.Full = false;
        Assert.Equal(1, await store.AppendAsync(Agent, [Encoding.UTF8.GetBytes("turn")]));
        Assert.Equal(["agent/acme%2Ffull/journal/0000000000000000001"], service.Stored);
    }

    [Fact]
    public async Task Other_refusals_are_not_storage_full()
    {
        using var service = new FakeBlobService { FailWith = HttpStatusCode.Forbidden };
        var store = new BlobActorStateStore(service.Container());
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => store.AppendAsync(Agent, [Encoding.UTF8.GetBytes("turn")]));
        Assert.Equal(403, refused.Status);
    }

    /// <summary>Just enough of the blob service for one actor's load, append and snapshot: the container exists, no
    /// blob does, and a blob upload is stored, or refused with <see cref="FailWith"/> (507 while <see cref="Full"/>).</summary>
    private sealed class FakeBlobService : HttpMessageHandler
    {
        private readonly HttpClient _http;

        public FakeBlobService()
        {
            _http = new HttpClient(this);
        }

        public bool Full { get; set; }

        public HttpStatusCode? FailWith { get; set; }

        public List<string> Stored { get; } = [];

        public BlobContainerClient Container()
        {
            var options = new BlobClientOptions { Transport = new HttpClientTransport(_http) };
            options.Retry.MaxRetries = 0;
            return new BlobContainerClient(new Uri("http://127.0.0.1:1/devstoreaccount1/fabric"), options);
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = request.RequestUri!.Query;
            const string container = "/devstoreaccount1/fabric";
            var path = request.RequestUri.AbsolutePath;
            var blob = path.Length > container.Length + 1 ? path[(container.Length + 1)..] : "";
            if (query.Contains("restype=container", StringComparison.Ordinal) && query.Contains("comp=list", StringComparison.Ordinal))
            {
                const string empty = """<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1:1/devstoreaccount1" ContainerName="fabric"><Blobs /><NextMarker /></EnumerationResults>""";
                return Task.FromResult(Answer(HttpStatusCode.OK, new StringContent(empty, Encoding.UTF8, "application/xml")));
            }

            if (query.Contains("restype=container", StringComparison.Ordinal))
            {
                return Task.FromResult(Answer(HttpStatusCode.Created));
            }

            if (request.Method == HttpMethod.Put)
            {
                var failure = Full ? (HttpStatusCode)507 : FailWith;
                if (failure is { } status)
                {
                    var refused = Answer(status, new StringContent($"""<?xml version="1.0" encoding="utf-8"?><Error><Code>Refused</Code><Message>refused: {(int)status}</Message></Error>""", Encoding.UTF8, "application/xml"));
                    refused.Headers.Add("x-ms-error-code", "Refused");
                    return Task.FromResult(refused);
                }

                Stored.Add(Uri.UnescapeDataString(blob));
                return Task.FromResult(Answer(HttpStatusCode.Created));
            }

            var missing = Answer(HttpStatusCode.NotFound, request.Method == HttpMethod.Head ? null : new StringContent("""<?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>none</Message></Error>""", Encoding.UTF8, "application/xml"));
            missing.Headers.Add("x-ms-error-code", "BlobNotFound");
            return Task.FromResult(missing);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _http.Dispose();
            }

            base.Dispose(disposing);
        }

        private static HttpResponseMessage Answer(HttpStatusCode status, HttpContent? content = null)
        {
            var response = new HttpResponseMessage(status) { Content = content ?? new ByteArrayContent([]) };
            response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"0x8DC" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant() + "\"");
            response.Content.Headers.LastModified = DateTimeOffset.UtcNow;
            response.Headers.Add("x-ms-request-id", Guid.NewGuid().ToString());
            response.Headers.Add("x-ms-version", "2025-01-05");
            return response;
        }
    }
}
