using MemoryFabric.Orleans.Storage;

namespace MemoryFabric.Orleans.Tests.Support;

/// <summary>One in-memory snapshot + journal store shared by every silo of the test process: it plays the durable
/// storage a real cluster shares (Azure Blob), so state survives the loss of a silo or a restart of the cluster.</summary>
internal static class SharedStateStore
{
    public static InMemoryActorStateStore Instance { get; } = new();

    /// <summary>The number of journal entries stored after the snapshot of one grain.</summary>
    public static async Task<int> JournalCountAsync(string type, string key) =>
        (await Instance.LoadAsync(new ActorId(type, key))).Journal.Count;

    /// <summary>Whether anything is stored for one grain.</summary>
    public static async Task<bool> ExistsAsync(string type, string key) =>
        (await Instance.LoadAsync(new ActorId(type, key))).Exists;
}
