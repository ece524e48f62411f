using Microsoft.Extensions.Hosting;

namespace MemoryFabric.Storage.Sqlite;

/// <summary>Opens the <see cref="SqliteActorStore"/> (taking the data directory's lock) when the host resolves its hosted
/// services, before the first of them starts: a second process on the same data directory fails its start before it
/// loads an embedder, starts the silo or listens for requests.</summary>
/// <param name="store">The store (resolving it opens it).</param>
internal sealed class SqliteStoreOpener(SqliteActorStore store) : IHostedService
{
    /// <summary>The store, open.</summary>
    public SqliteActorStore Store { get; } = store;

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
