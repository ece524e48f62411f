using MemoryFabric.Client;

namespace MemoryFabric.Cli.Connection;

/// <summary>An open connection of a data command: a client of a server, or of the in-process server of
/// <c>--local</c> (stopped, persisting state, when the connection is disposed).</summary>
internal sealed class MemoryFabricConnection : IAsyncDisposable
{
    private readonly LocalServer? _local;

    private MemoryFabricConnection(ConnectionSettings settings, IMemoryFabricClient client, LocalServer? local)
    {
        Settings = settings;
        Client = client;
        _local = local;
    }

    /// <summary>The settings the connection was opened with.</summary>
    public ConnectionSettings Settings { get; }

    /// <summary>The client (tenant key).</summary>
    public IMemoryFabricClient Client { get; }

    /// <summary>Whether this is the in-process server of <c>--local</c>.</summary>
    public bool IsLocal => _local is not null;

    /// <summary>Whether stopping the in-process server failed (already reported).</summary>
    public bool StopFailed => _local?.StopFailed ?? false;

    /// <summary>Opens a connection: creates the client, or starts the in-process server.</summary>
    /// <param name="settings">The settings.</param>
    /// <param name="stderr">Where the in-process server's warnings go.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The connection.</returns>
    public static async Task<MemoryFabricConnection> OpenAsync(ConnectionSettings settings, TextWriter stderr, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Local)
        {
            var local = await LocalServer.StartAsync(settings.DataDirectory, settings.Embedder, stderr, cancellationToken).ConfigureAwait(false);
            return new MemoryFabricConnection(settings, local.Client, local);
        }

        var client = new MemoryFabricClient(new MemoryFabricClientOptions
        {
            Endpoint = settings.Endpoint,
            ApiKey = settings.Key,
            // Consolidating or importing a large agent can take a while; Ctrl+C cancels sooner.
            Timeout = TimeSpan.FromMinutes(10),
        });
        return new MemoryFabricConnection(settings, client, null);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync().ConfigureAwait(false);
        }
    }
}
