using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>The blob membership table against Azurite: Orleans' optimistic protocol (table version and row ETags).</summary>
public sealed class BlobMembershipTableTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task Inserts_and_updates_need_the_current_versions()
    {
        var table = Table("c1");
        await table.InitializeMembershipTable(tryInitTableVersion: true);
        await table.InitializeMembershipTable(tryInitTableVersion: true); // a second silo: no harm
        var empty = await table.ReadAll();
        Assert.Empty(empty.Members);

        var a = Entry(11111, SiloStatus.Joining);
        Assert.True(await table.InsertRow(a, empty.Version.Next()));
        Assert.False(await table.InsertRow(Entry(11112, SiloStatus.Joining), empty.Version.Next())); // stale version

        var one = await table.ReadAll();
        Assert.Equal(1, one.Version.Version);
        var (row, etag) = one.Members.Single();
        Assert.Equal(a.SiloAddress, row.SiloAddress);
        Assert.False(await table.InsertRow(Entry(11111, SiloStatus.Joining), one.Version.Next())); // already there

        row.Status = SiloStatus.Active;
        Assert.False(await table.UpdateRow(row, "wrong", one.Version.Next()));
        Assert.True(await table.UpdateRow(row, etag, one.Version.Next()));
        Assert.False(await table.UpdateRow(row, etag, one.Version.Next())); // the version moved on

        var alive = new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        await table.UpdateIAmAlive(new MembershipEntry { SiloAddress = a.SiloAddress, IAmAliveTime = alive });
        var read = await table.ReadRow(a.SiloAddress);
        Assert.Equal(alive, read.Members.Single().Item1.IAmAliveTime);
        Assert.Equal(SiloStatus.Active, read.Members.Single().Item1.Status);
        Assert.Equal(2, read.Version.Version);
    }

    [Fact]
    public async Task Defunct_silos_are_cleaned_up_and_a_cluster_can_be_deleted()
    {
        var table = Table("c2");
        await table.InitializeMembershipTable(true);
        var version = (await table.ReadAll()).Version;
        Assert.True(await table.InsertRow(Entry(1, SiloStatus.Dead, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)), version.Next()));
        version = (await table.ReadAll()).Version;
        Assert.True(await table.InsertRow(Entry(2, SiloStatus.Active, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)), version.Next()));

        await table.CleanupDefunctSiloEntries(new DateTimeOffset(2021, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var left = await table.ReadAll();
        Assert.Equal(SiloStatus.Active, Assert.Single(left.Members).Item1.Status);

        await table.DeleteMembershipTableEntries("c2");
        Assert.Empty((await table.ReadAll()).Members);
    }

    private BlobMembershipTable Table(string clusterId) => new(
        new MembershipOptions(azurite.ConnectionString).Blob,
        Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "svc-" + GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture) }),
        _services.GetRequiredService<Serializer>());

    private static MembershipEntry Entry(int port, SiloStatus status, DateTime? time = null) => new()
    {
        SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), 1),
        Status = status,
        HostName = "localhost",
        SiloName = "silo-" + port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        StartTime = time ?? DateTime.UtcNow,
        IAmAliveTime = time ?? DateTime.UtcNow,
    };

    private sealed record MembershipOptions(string ConnectionString)
    {
        public MemoryFabricBlobStorageOptions Blob { get; } = new() { ConnectionString = ConnectionString, ContainerName = "membership-tests" };
    }
}
