using MemoryFabric.Runtime.Reminders;
using MemoryFabric.Runtime.Tests.Actors;
using MemoryFabric.Runtime.Tests.Support;

namespace MemoryFabric.Runtime.Tests.Runtime;

public sealed class ReminderTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task A_reminder_fires_at_its_due_time_and_then_every_period()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        var start = harness.Time.GetUtcNow();
        await Register(runtime, "r", "tick", TimeSpan.FromSeconds(10), Minute);

        harness.Time.Advance(TimeSpan.FromSeconds(9));
        await Eventually.Settle();
        Assert.Empty(harness.Probe.Reminders);

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => harness.Probe.Reminders.Count == 1, "first tick");
        var (key, name, tick) = harness.Probe.Reminders.Single();
        Assert.Equal(("r", "tick"), (key, name));
        Assert.Equal(start + TimeSpan.FromSeconds(10), tick.DueTime);
        Assert.Equal(start + TimeSpan.FromSeconds(10), tick.FiredAt);
        Assert.Equal(Minute, tick.Period);

        await WaitForNextDue(harness, "r", "tick", start + TimeSpan.FromSeconds(70));
        harness.Time.Advance(Minute);
        await Eventually.True(() => harness.Probe.Reminders.Count == 2, "second tick");
        Assert.Equal(start + TimeSpan.FromSeconds(70), harness.Probe.Reminders.Last().Tick.DueTime);
    }

    [Fact]
    public async Task A_reminder_activates_its_actor()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        await Register(runtime, "sleepy", "wake", TimeSpan.FromSeconds(5), Minute);
        await runtime.DeactivateAsync(new ActorId("reminder", "sleepy"));
        Assert.False(runtime.IsActive(new ActorId("reminder", "sleepy")));

        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await Eventually.True(() => harness.Probe.Reminders.Count == 1, "tick");
        Assert.True(runtime.IsActive(new ActorId("reminder", "sleepy")));
        Assert.Equal(2, harness.Probe.Activations("sleepy"));
    }

    [Fact]
    public async Task Reminders_survive_a_restart_of_the_runtime()
    {
        await using var harness = new RuntimeHarness();
        await harness.Runtime.StartAsync(CancellationToken.None);
        var start = harness.Time.GetUtcNow();
        await Register(harness.Runtime, "durable", "tick", Minute, Minute);

        var runtime = await harness.RestartAsync();
        Assert.Equal(1, runtime.ReminderCount);
        harness.Time.Advance(Minute);

        await Eventually.True(() => harness.Probe.Reminders.Count == 1, "tick after restart");
        Assert.Equal(start + Minute, harness.Probe.Reminders.Single().Tick.DueTime);
        Assert.True(runtime.IsActive(new ActorId("reminder", "durable")));
    }

    [Fact]
    public async Task A_reminder_missed_while_down_fires_once_on_start_with_its_original_due_time()
    {
        await using var harness = new RuntimeHarness();
        await harness.Runtime.StartAsync(CancellationToken.None);
        var start = harness.Time.GetUtcNow();
        await Register(harness.Runtime, "missed", "tick", Minute, Minute);
        await harness.Runtime.DisposeAsync();

        // Down for ten minutes: ten periods missed.
        harness.Time.Advance(TimeSpan.FromMinutes(10));
        var runtime = harness.Recreate();
        await runtime.StartAsync(CancellationToken.None);

        await Eventually.True(() => harness.Probe.Reminders.Count == 1, "missed tick");
        await Eventually.Settle();
        var tick = Assert.Single(harness.Probe.Reminders).Tick;
        Assert.Equal(start + Minute, tick.DueTime);
        Assert.Equal(start + TimeSpan.FromMinutes(10), tick.FiredAt);

        // The schedule moved to the next whole period after now, durably.
        await WaitForNextDue(harness, "missed", "tick", start + TimeSpan.FromMinutes(11));
        harness.Time.Advance(Minute);
        await Eventually.True(() => harness.Probe.Reminders.Count == 2, "next tick");
        Assert.Equal(start + TimeSpan.FromMinutes(11), harness.Probe.Reminders.Last().Tick.DueTime);
    }

    [Fact]
    public async Task An_unregistered_reminder_stops_firing()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        await Register(runtime, "u", "tick", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => harness.Probe.Reminders.Count == 1, "first tick");

        await runtime.InvokeAsync<ReminderActor, bool>("u", async (a, ct) =>
        {
            await a.Context.Reminders.UnregisterAsync("tick", ct);
            return true;
        });
        var listed = await runtime.InvokeAsync<ReminderActor, IReadOnlyList<ReminderEntry>>("u", (a, ct) => a.Context.Reminders.ListAsync(ct));
        Assert.Empty(listed);
        Assert.Empty(await harness.ReminderStore.LoadAllAsync());

        for (var i = 0; i < 5; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await Eventually.Settle();
        Assert.Single(harness.Probe.Reminders);
    }

    [Fact]
    public async Task A_failing_reminder_is_logged_and_its_schedule_advances()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        var start = harness.Time.GetUtcNow();
        await Register(runtime, "bad", "failing", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => harness.Probe.Reminders.Count == 1, "first failing tick");
        await WaitForNextDue(harness, "bad", "failing", start + TimeSpan.FromSeconds(3));
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.True(() => harness.Probe.Reminders.Count == 2, "second failing tick");
        Assert.True(runtime.IsActive(new ActorId("reminder", "bad")));
    }

    [Fact]
    public async Task A_reminder_can_be_replaced_with_a_new_schedule()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        var start = harness.Time.GetUtcNow();
        await Register(runtime, "re", "tick", TimeSpan.FromSeconds(5), Minute);
        await Register(runtime, "re", "tick", TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2));

        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await Eventually.Settle();
        Assert.Empty(harness.Probe.Reminders);

        harness.Time.Advance(TimeSpan.FromSeconds(20));
        await Eventually.True(() => harness.Probe.Reminders.Count == 1, "tick on the new schedule");
        Assert.Equal(start + TimeSpan.FromSeconds(30), harness.Probe.Reminders.Single().Tick.DueTime);
        Assert.Equal(TimeSpan.FromMinutes(2), harness.Probe.Reminders.Single().Tick.Period);
    }

    [Fact]
    public async Task Only_remindable_actors_can_register_and_the_period_is_at_least_a_second()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;

        var notRemindable = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAsync<PlainActor, bool>("p", async (a, ct) =>
        {
            await a.Context.Reminders.RegisterOrUpdateAsync("tick", TimeSpan.Zero, Minute, ct);
            return true;
        }));
        Assert.Contains(nameof(IRemindable), notRemindable.Message, StringComparison.Ordinal);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Register(runtime, "fast", "tick", TimeSpan.Zero, TimeSpan.FromMilliseconds(500)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Register(runtime, "neg", "tick", TimeSpan.FromSeconds(-1), Minute));
    }

    [Fact]
    public async Task Clearing_an_actors_storage_removes_its_reminders()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        await Register(runtime, "gone", "one", Minute, Minute);
        await Register(runtime, "gone", "two", Minute, Minute);
        await Register(runtime, "kept", "one", Minute, Minute);

        await runtime.InvokeAsync<ReminderActor, bool>("gone", async (a, ct) =>
        {
            await a.Context.Storage.AppendAsync([new byte[] { 1 }], ct);
            await a.Context.Storage.ClearAsync(ct);
            a.Context.DeactivateOnIdle(persist: false);
            return true;
        });

        Assert.Equal(1, runtime.ReminderCount);
        var stored = await harness.ReminderStore.LoadAllAsync();
        Assert.Equal("kept", Assert.Single(stored).ActorId.Key);
        Assert.False((await harness.StateStore.LoadAsync(new ActorId("reminder", "gone"))).Exists);

        harness.Time.Advance(Minute);
        await Eventually.True(() => harness.Probe.Reminders.Count == 1, "kept tick");
        await Eventually.Settle();
        Assert.Equal("kept", Assert.Single(harness.Probe.Reminders).Key);
    }

    [Fact]
    public void Next_due_advances_by_whole_periods_past_now()
    {
        var due = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(due + Minute, ReminderService.NextDueAfter(due, Minute, due));
        Assert.Equal(due + TimeSpan.FromMinutes(11), ReminderService.NextDueAfter(due, Minute, due + TimeSpan.FromMinutes(10)));
        Assert.Equal(due + TimeSpan.FromMinutes(11), ReminderService.NextDueAfter(due, Minute, due + TimeSpan.FromMinutes(10.5)));
    }

    private static Task Register(ActorRuntime runtime, string key, string name, TimeSpan dueTime, TimeSpan period) =>
        runtime.InvokeAsync<ReminderActor, bool>(key, async (a, ct) =>
        {
            await a.Context.Reminders.RegisterOrUpdateAsync(name, dueTime, period, ct);
            return true;
        });

    private static Task WaitForNextDue(RuntimeHarness harness, string key, string name, DateTimeOffset expected) =>
        Eventually.TrueAsync(
            async () => (await harness.ReminderStore.LoadAllAsync()).Any(r => r.ActorId.Key == key && r.Name == name && r.NextDue == expected),
            $"reminder {key}/{name} due at {expected}");
}
