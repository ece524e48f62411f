using MemoryFabric.Orleans.Storage;
using MemoryFabric.Storage.Sqlite.Tests.Support;

namespace MemoryFabric.Storage.Sqlite.Tests.Storage;

#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class SqliteStoreContractTests : ActorStateStoreContract
#pragma warning restore CA1001
{
    private readonly TempDirectory _directory = new();
    private SqliteActorStore? _store;

    public override async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }

        _directory.Dispose();
    }

    protected override Task<IActorStateStore> CreateAsync()
    {
        _store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = _directory.Path });
        return Task.FromResult<IActorStateStore>(_store);
    }
}
