namespace MemoryFabric.Runtime.Tests.Storage;

public sealed class InMemoryStoreTests : ActorStateStoreContract
{
    protected override Task<(IActorStateStore State, IReminderStore Reminders)> CreateAsync() =>
        Task.FromResult<(IActorStateStore, IReminderStore)>((new InMemoryActorStateStore(), new InMemoryReminderStore()));
}
