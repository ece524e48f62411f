using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Storage.Sqlite.Tests.Storage;

public sealed class InMemoryStoreTests : ActorStateStoreContract
{
    protected override Task<IActorStateStore> CreateAsync() => Task.FromResult<IActorStateStore>(new InMemoryActorStateStore());
}
