using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace MemoryFabric.Orleans.AzureStorage.Tests;

/// <summary>The blob reminder table against Azurite: rows by grain, by ring range, and removal by ETag.</summary>
public sealed class BlobReminderTableTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task Rows_round_trip_and_removal_needs_the_current_etag()
    {
        var table = new BlobReminderTable(
            new MemoryFabricBlobStorageOptions { ConnectionString = azurite.ConnectionString, ContainerName = "reminders-" + Guid.NewGuid().ToString("N")[..8] },
            Options.Create(new ClusterOptions { ServiceId = "svc", ClusterId = "c" }));
        var agent = GrainId.Create("agentmemory", "acme/bot");
        var other = GrainId.Create("agentmemory", "acme/other");
        var start = new DateTime(2025, 3, 1, 8, 0, 0, DateTimeKind.Utc);
        var etag = await table.UpsertRow(new ReminderEntry { GrainId = agent, ReminderName = "consolidate", StartAt = start, Period = TimeSpan.FromHours(1) });
        await table.UpsertRow(new ReminderEntry { GrainId = agent, ReminderName = "consolidate-pending", StartAt = start, Period = TimeSpan.FromMinutes(1) });
        await table.UpsertRow(new ReminderEntry { GrainId = other, ReminderName = "consolidate", StartAt = start, Period = TimeSpan.FromHours(1) });

        var row = await table.ReadRow(agent, "consolidate");
        Assert.NotNull(row);
        Assert.Equal(agent, row.GrainId);
        Assert.Equal(start, row.StartAt);
        Assert.Equal(TimeSpan.FromHours(1), row.Period);
        Assert.Equal(etag, row.ETag);
        Assert.Equal(2, (await table.ReadRows(agent)).Reminders.Count);

        // The whole ring, and a range that holds only the agent's hash.
        Assert.Equal(3, (await table.ReadRows(0, 0)).Reminders.Count);
        var hash = agent.GetUniformHashCode();
        var around = await table.ReadRows(hash - 1, hash);
        Assert.All(around.Reminders, r => Assert.Equal(agent, r.GrainId));
        Assert.Equal(2, around.Reminders.Count);

        // An update changes the ETag: the old one no longer removes the row.
        var newer = await table.UpsertRow(new ReminderEntry { GrainId = agent, ReminderName = "consolidate", StartAt = start.AddHours(1), Period = TimeSpan.FromHours(1) });
        Assert.NotEqual(etag, newer);
        Assert.False(await table.RemoveRow(agent, "consolidate", etag!));
        Assert.True(await table.RemoveRow(agent, "consolidate", newer!));
        Assert.Null(await table.ReadRow(agent, "consolidate"));
        Assert.False(await table.RemoveRow(agent, "consolidate", newer!));
    }
}
