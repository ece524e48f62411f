using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace MemoryFabric.Storage.Sqlite.Internal;

/// <summary>A bounded pool of read connections, opened on demand (WAL readers do not block the writer).</summary>
internal sealed class ReadConnectionPool : IDisposable
{
    private readonly SqliteConnections _connections;
    private readonly ConcurrentBag<SqliteConnection> _idle = [];
    private readonly SemaphoreSlim _slots;
    private volatile bool _disposed;

    /// <summary>Creates an empty pool.</summary>
    /// <param name="connections">Opens connections.</param>
    /// <param name="max">The most connections open at once.</param>
    public ReadConnectionPool(SqliteConnections connections, int max)
    {
        _connections = connections;
        _slots = new SemaphoreSlim(max, max);
    }

    /// <summary>Takes a connection; give it back with <see cref="Return"/>.</summary>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The connection.</returns>
    public async ValueTask<SqliteConnection> RentAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (_idle.TryTake(out var connection))
        {
            return connection;
        }

        try
        {
            return _connections.OpenReader();
        }
        catch
        {
            _slots.Release();
            throw;
        }
    }

    /// <summary>Gives a connection back.</summary>
    /// <param name="connection">The connection.</param>
    public void Return(SqliteConnection connection)
    {
        if (_disposed)
        {
            connection.Dispose();
        }
        else
        {
            _idle.Add(connection);
        }

        _slots.Release();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryTake(out var connection))
        {
            connection.Dispose();
        }
    }
}
