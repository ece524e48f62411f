using System.Net.Http.Json;
using MemoryFabric.Api;
using MemoryFabric.Client.Http;
using MemoryFabric.Serialization;

namespace MemoryFabric.Client;

/// <summary>The client of the MemoryFabric HTTP API's admin routes (tenants, API keys, backups); configure it with the
/// admin key.</summary>
/// <remarks>Thread-safe. The key is set on each request, never on the <see cref="HttpClient"/>'s default
/// headers.</remarks>
public sealed class MemoryFabricAdminClient : IMemoryFabricAdminClient
{
    private readonly MemoryFabricHttpPipeline _pipeline;

    /// <summary>Initializes a new instance on the given <see cref="HttpClient"/>, which it does not dispose.</summary>
    /// <param name="httpClient">The HTTP client. Its <see cref="HttpClient.BaseAddress"/> is used when
    /// <see cref="MemoryFabricClientOptions.Endpoint"/> is not set.</param>
    /// <param name="options">The endpoint and the admin key in <see cref="MemoryFabricClientOptions.ApiKey"/>.</param>
    public MemoryFabricAdminClient(HttpClient httpClient, MemoryFabricClientOptions options)
    {
        _pipeline = new MemoryFabricHttpPipeline(httpClient, options);
    }

    /// <inheritdoc />
    public Task<TenantInfo> CreateTenantAsync(string id, string name, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(name);
        return SendAsync<TenantInfo>(HttpMethod.Post, "v1/admin/tenants", new CreateTenantRequest(id, name), RetryMode.OnTooManyRequests, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TenantInfo>> ListTenantsAsync(CancellationToken cancellationToken = default)
    {
        var body = await SendAsync<TenantList>(HttpMethod.Get, "v1/admin/tenants", null, RetryMode.Idempotent, cancellationToken).ConfigureAwait(false);
        return body.Tenants ?? [];
    }

    /// <inheritdoc />
    public Task<CreatedApiKey> CreateApiKeyAsync(string tenant, string name, CancellationToken cancellationToken = default) =>
        CreateApiKeyAsync(tenant, name, trust: null, cancellationToken);

    /// <inheritdoc />
    public Task<CreatedApiKey> CreateApiKeyAsync(string tenant, string name, double? trust, CancellationToken cancellationToken = default) =>
        CreateApiKeyAsync(tenant, name, trust, scopes: null, cancellationToken);

    /// <inheritdoc />
    public Task<CreatedApiKey> CreateApiKeyAsync(string tenant, string name, double? trust, IReadOnlyCollection<string>? scopes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (trust is { } t && (!double.IsFinite(t) || t < 0 || t > 1))
        {
            throw new ArgumentOutOfRangeException(nameof(trust), t, "A key's trust is between 0 and 1.");
        }

        IReadOnlyList<string>? checkedScopes = null;
        if (scopes is not null)
        {
            checkedScopes = ApiScopes.Normalize(scopes, out var problem) ?? throw new ArgumentException(problem, nameof(scopes));
            if (trust is not null && checkedScopes.Contains(ApiScopes.Guard, StringComparer.Ordinal))
            {
                throw new ArgumentException("A key with a trust cap cannot hold the 'guard' scope.", nameof(scopes));
            }
        }

        return SendAsync<CreatedApiKey>(
            HttpMethod.Post, ApiPaths.Tenant(tenant) + "/keys", new CreateKeyRequest(name) { Trust = trust, Scopes = checkedScopes }, RetryMode.OnTooManyRequests, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyInfo>> ListApiKeysAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var body = await SendAsync<KeyList>(HttpMethod.Get, ApiPaths.Tenant(tenant) + "/keys", null, RetryMode.Idempotent, cancellationToken)
            .ConfigureAwait(false);
        return body.Keys ?? [];
    }

    /// <inheritdoc />
    public async Task RevokeApiKeyAsync(string tenant, string keyId, CancellationToken cancellationToken = default)
    {
        var path = ApiPaths.Tenant(tenant) + "/keys/" + ApiPaths.Segment(keyId, nameof(keyId));
        using var response = await _pipeline.SendAsync(new ApiRequest(HttpMethod.Delete, path, null, RetryMode.Idempotent), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<TenantDeletionResult> DeleteTenantAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync<TenantDeletionResult>(HttpMethod.Delete, ApiPaths.Tenant(tenant), null, RetryMode.Idempotent, cancellationToken);

    /// <inheritdoc />
    public async Task<long> BackupAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        // Not retried: a 503 may come after the server spent the copy's I/O; the caller decides.
        var request = new ApiRequest(HttpMethod.Post, "v1/admin/backup", null, RetryMode.OnTooManyRequests, "application/octet-stream") { StreamResponse = true };
        using var response = await _pipeline.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.StopTimeout(); // the timeout bounds the wait for the headers (the server's copy); the body takes what it takes
        var expected = response.Message.Content.Headers.ContentLength;
        var body = await response.Message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        long copied = 0;
        await using (body.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                copied += read;
            }
        }

        if (expected is { } length && copied != length)
        {
            throw new IOException($"The backup ended after {copied} of its {length} bytes; it is incomplete.");
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return copied;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, RetryMode retry, CancellationToken cancellationToken)
    {
        Func<HttpContent>? content = body is null ? null : () => JsonContent.Create(body, body.GetType(), mediaType: null, MemoryFabricJson.Options);
        using var response = await _pipeline.SendAsync(new ApiRequest(method, path, content, retry), cancellationToken).ConfigureAwait(false);
        return await response.ReadJsonAsync<T>().ConfigureAwait(false);
    }
}
