using System.Text;
using System.Text.Json;
using MemoryFabric.Orleans.Storage;
using MemoryFabric.Orleans.Tenants;
using MemoryFabric.Storage.Sqlite.Tests.Support;
using Orleans.Storage;

namespace MemoryFabric.Storage.Sqlite.Tests.Storage;

/// <summary><see cref="ActorStoreGrainStorage"/> over the SQLite store (and the in-memory one, which must agree).</summary>
#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class ActorStoreGrainStorageTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private const string StateName = "probe";
    private static readonly GrainId Grain = GrainId.Create("probegrain", "acme/alice");
    private static readonly ActorId Record = new(StateName, "acme/alice");

    private readonly TempDirectory _directory = new();
    private SqliteActorStore _store = null!;
    private ActorStoreGrainStorage _storage = null!;

    public Task InitializeAsync()
    {
        _store = new SqliteActorStore(new SqliteActorStoreOptions { DataDirectory = _directory.Path });
        _storage = new ActorStoreGrainStorage(_store);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    public static TheoryData<string> Stores => ["sqlite", "memory"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_written_state_reads_back_with_its_etag(string kind)
    {
        var storage = Storage(kind);
        var missing = new GrainState<ProbeState>();
        await storage.ReadStateAsync(StateName, Grain, missing);
        Assert.False(missing.RecordExists);
        Assert.Null(missing.ETag);

        var state = new GrainState<ProbeState>(new ProbeState { Name = "alice", Count = 3, Tags = ["a", "b"] });
        await storage.WriteStateAsync(StateName, Grain, state);
        Assert.True(state.RecordExists);
        Assert.NotNull(state.ETag);

        var read = new GrainState<ProbeState>();
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equal("alice", read.State!.Name);
        Assert.Equal(3, read.State!.Count);
        Assert.Equal(["a", "b"], read.State!.Tags);

        // A second write with the current ETag succeeds and moves the ETag on.
        var first = state.ETag;
        state.State!.Count = 4;
        await storage.WriteStateAsync(StateName, Grain, state);
        Assert.NotEqual(first, state.ETag);
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.Equal(4, read.State!.Count);
        Assert.Equal(state.ETag, read.ETag);

        // Another grain of the same state name is another record.
        var other = new GrainState<ProbeState>();
        await storage.ReadStateAsync(StateName, GrainId.Create("probegrain", "acme/bob"), other);
        Assert.False(other.RecordExists);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_write_with_a_stale_etag_throws_inconsistent_state_and_stores_nothing(string kind)
    {
        var storage = Storage(kind);
        var mine = new GrainState<ProbeState>(new ProbeState { Name = "mine", Count = 1 });
        await storage.WriteStateAsync(StateName, Grain, mine);
        var stale = new GrainState<ProbeState>();
        await storage.ReadStateAsync(StateName, Grain, stale);

        mine.State!.Count = 2;
        await storage.WriteStateAsync(StateName, Grain, mine);

        stale.State!.Name = "stale";
        var staleETag = stale.ETag;
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Grain, stale));
        Assert.Equal(staleETag, stale.ETag);
        Assert.IsType<ActorStateConflictException>(error.InnerException);
        Assert.Equal(mine.ETag, error.StoredEtag);
        Assert.Equal(staleETag, error.CurrentEtag);

        // A first write (no ETag) over an existing record is stale too.
        var fresh = new GrainState<ProbeState>(new ProbeState { Name = "fresh" });
        error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Grain, fresh));
        Assert.Equal(mine.ETag, error.StoredEtag);
        Assert.Null(fresh.ETag);
        Assert.False(fresh.RecordExists);

        var read = new GrainState<ProbeState>();
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.Equal("mine", read.State!.Name);
        Assert.Equal(2, read.State!.Count);
        Assert.Equal(mine.ETag, read.ETag);

        // A write over a record cleared by someone else is stale as well: nothing is stored to write over.
        await storage.ClearStateAsync(StateName, Grain, new GrainState<ProbeState>());
        error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, Grain, mine));
        Assert.Equal("", error.StoredEtag);
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.False(read.RecordExists);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Clear_removes_the_record_and_a_new_write_starts_over(string kind)
    {
        var storage = Storage(kind);
        var state = new GrainState<ProbeState>(new ProbeState { Name = "alice" });
        await storage.WriteStateAsync(StateName, Grain, state);

        await storage.ClearStateAsync(StateName, Grain, state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);

        var read = new GrainState<ProbeState>();
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        if (kind == "sqlite")
        {
            Assert.False((await _store.LoadAsync(Record)).Exists);
            Assert.Empty(await _store.ListKeysAsync(StateName, ""));
        }

        // The cleared state object writes again as a new record.
        await storage.WriteStateAsync(StateName, Grain, state);
        await storage.ReadStateAsync(StateName, Grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("alice", read.State!.Name);
    }

    [Fact]
    public async Task The_state_is_a_web_default_json_snapshot_under_the_state_name_and_grain_key()
    {
        var state = new GrainState<ProbeState>(new ProbeState { Name = "alice", Count = 2, Tags = ["x"] });
        await _storage.WriteStateAsync(StateName, Grain, state);

        var stored = await _store.LoadAsync(Record);
        Assert.Empty(stored.Journal);
        Assert.Equal(state.ETag, stored.SnapshotVersion.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var json = JsonDocument.Parse(stored.Snapshot!.Value);
        Assert.Equal("alice", json.RootElement.GetProperty("name").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("count").GetInt32());
        Assert.Equal("x", json.RootElement.GetProperty("tags")[0].GetString());
        Assert.Equal(["acme/alice"], await _store.ListKeysAsync(StateName, ""));
    }

    [Fact]
    public async Task An_empty_tenant_directory_in_the_old_shape_reads_into_the_new_state_class()
    {
        var directory = new ActorId(TenantDirectoryGrain.TypeName, TenantDirectoryGrain.DirectoryKey);
        await _store.WriteSnapshotAsync(directory, Encoding.UTF8.GetBytes("""{"tenants":[],"keys":[]}"""), 0, 0);

        var state = new GrainState<TenantDirectoryState>();
        await _storage.ReadStateAsync(TenantDirectoryGrain.TypeName, GrainId.Create("tenantdirectory", TenantDirectoryGrain.DirectoryKey), state);

        Assert.True(state.RecordExists);
        Assert.Equal("1", state.ETag);
        Assert.Empty(state.State!.Tenants);
        Assert.Empty(state.State!.Keys);
    }

    [Fact]
    public async Task A_tenant_directory_written_by_the_old_runtime_reads_into_the_new_state_class_and_writes_on()
    {
        // The old runtime's TenantDirectoryActor stored record DirectoryState(List<TenantRecord>, List<ApiKeyRecord>)
        // with JsonSerializerDefaults.Web, through its own snapshot versions.
        const string Old = """
            {"tenants":[{"id":"acme","name":"Acme Corp","createdAt":"2025-01-02T03:04:05+00:00"},{"id":"globex","name":"globex","createdAt":"2025-02-01T00:00:00+00:00"}],
             "keys":[{"trust":0.3,"id":"key_0123456789abcdef","tenant":"acme","name":"importer","hash":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","createdAt":"2025-01-03T00:00:00+00:00"},
                     {"trust":null,"id":"key_fedcba9876543210","tenant":"globex","name":"default","hash":"60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752","createdAt":"2025-02-02T00:00:00+00:00"}]}
            """;
        var directory = new ActorId(TenantDirectoryGrain.TypeName, TenantDirectoryGrain.DirectoryKey);
        await _store.WriteSnapshotAsync(directory, Encoding.UTF8.GetBytes("{}"), 0, 0);
        await _store.WriteSnapshotAsync(directory, Encoding.UTF8.GetBytes(Old), 0, 1);
        var grain = GrainId.Create("tenantdirectory", TenantDirectoryGrain.DirectoryKey);

        var state = new GrainState<TenantDirectoryState>();
        await _storage.ReadStateAsync(TenantDirectoryGrain.TypeName, grain, state);

        Assert.True(state.RecordExists);
        Assert.Equal("2", state.ETag);
        Assert.Equal(
            [new TenantRecord("acme", "Acme Corp", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)), new TenantRecord("globex", "globex", new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero))],
            state.State!.Tenants);
        Assert.Equal(2, state.State!.Keys.Count);
        var importer = state.State!.Keys[0];
        Assert.Equal("key_0123456789abcdef", importer.Id);
        Assert.Equal("acme", importer.Tenant);
        Assert.Equal("importer", importer.Name);
        Assert.Equal("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", importer.Hash);
        Assert.Equal(new DateTimeOffset(2025, 1, 3, 0, 0, 0, TimeSpan.Zero), importer.CreatedAt);
        Assert.Equal(0.3, importer.Trust);
        Assert.Null(state.State!.Keys[1].Trust);

        // The grain writes on from the old version, and what it writes reads back the same.
        state.State!.Tenants.Add(new TenantRecord("initech", "Initech", new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero)));
        await _storage.WriteStateAsync(TenantDirectoryGrain.TypeName, grain, state);
        Assert.Equal("3", state.ETag);
        var again = new GrainState<TenantDirectoryState>();
        await _storage.ReadStateAsync(TenantDirectoryGrain.TypeName, grain, again);
        Assert.Equal(state.State!.Tenants, again.State!.Tenants);
        Assert.Equal(state.State!.Keys, again.State!.Keys);
    }

    private IGrainStorage Storage(string kind) => kind == "sqlite" ? _storage : new ActorStoreGrainStorage(new InMemoryActorStateStore());

    public sealed class ProbeState
    {
        public string Name { get; set; } = "";

        public int Count { get; set; }

        public List<string> Tags { get; set; } = [];
    }
}
