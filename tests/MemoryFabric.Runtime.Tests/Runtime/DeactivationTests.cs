using MemoryFabric.Runtime.Tests.Actors;
using MemoryFabric.Runtime.Tests.Support;

namespace MemoryFabric.Runtime.Tests.Runtime;

public sealed class DeactivationTests
{
    [Fact]
    public async Task An_idle_actor_is_deactivated_persisting_its_state_and_the_next_call_reloads_it()
    {
        await using var harness = new RuntimeHarness(o =>
        {
            o.IdleTimeout = TimeSpan.FromMinutes(10);
            o.IdleScanInterval = TimeSpan.FromMinutes(1);
        });
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            await runtime.InvokeAsync<CounterActor, long>("idle", (a, ct) => a.IncrementAsync(ct));
        }

        // Not idle long enough yet.
        harness.Time.Advance(TimeSpan.FromMinutes(9));
        await Eventually.Settle();
        Assert.True(runtime.IsActive(new ActorId("counter", "idle")));

        harness.Time.Advance(TimeSpan.FromMinutes(2));
        await Eventually.True(() => !runtime.IsActive(new ActorId("counter", "idle")), "idle deactivation");
        Assert.Equal([DeactivationReason.Idle], harness.Probe.DeactivationsOf("idle"));
        Assert.Equal(0, runtime.ActiveCount);

        var state = await harness.StateStore.LoadAsync(new ActorId("counter", "idle"));
        Assert.Equal(1, state.SnapshotVersion);
        Assert.Empty(state.Journal);

        Assert.Equal(4, await runtime.InvokeAsync<CounterActor, long>("idle", (a, ct) => a.IncrementAsync(ct)));
        Assert.Equal(2, harness.Probe.Activations("idle"));
    }

    [Fact]
    public async Task Calls_keep_an_actor_from_going_idle()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        for (var minute = 0; minute < 30; minute += 5)
        {
            await runtime.InvokeAsync<CounterActor, long>("busy", (a, ct) => a.IncrementAsync(ct));
            harness.Time.Advance(TimeSpan.FromMinutes(5));
        }

        await Eventually.Settle();
        Assert.True(runtime.IsActive(new ActorId("counter", "busy")));
        Assert.Empty(harness.Probe.DeactivationsOf("busy"));
    }

    [Fact]
    public async Task The_cap_on_active_actors_evicts_the_least_recently_used()
    {
        await using var harness = new RuntimeHarness(o => o.MaxActiveActors = 3);
        var runtime = harness.Runtime;
        foreach (var key in new[] { "a", "b", "c" })
        {
            await runtime.InvokeAsync<CounterActor, long>(key, (a, ct) => a.IncrementAsync(ct));
        }

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await runtime.InvokeAsync<CounterActor, long>("a", (a, ct) => a.IncrementAsync(ct)); // a is now the most recent

        // A turn ends (recency recorded, activation idle) before its caller hears of the result, whatever the actor's
        // queue loop is still doing: b is the least recently used, and every activation is evictable.
        Assert.All(new[] { "a", "b", "c" }, k => Assert.True(IsIdle(runtime, new ActorId("counter", k)), k + " idle"));
        await runtime.InvokeAsync<CounterActor, long>("d", (a, ct) => a.IncrementAsync(ct));
        Assert.True(runtime.ActiveCount <= 3);

        await Eventually.True(() => !runtime.IsActive(new ActorId("counter", "b")), "b evicted");
        Assert.Equal([DeactivationReason.Capacity], harness.Probe.DeactivationsOf("b"));
        Assert.True(runtime.IsActive(new ActorId("counter", "a")));
        Assert.True(runtime.IsActive(new ActorId("counter", "c")));
        Assert.True(runtime.IsActive(new ActorId("counter", "d")));

        for (var i = 0; i < 20; i++)
        {
            await runtime.InvokeAsync<CounterActor, long>("k" + i, (a, ct) => a.IncrementAsync(ct));
            Assert.True(runtime.ActiveCount <= 3, $"ActiveCount {runtime.ActiveCount} after k{i}");
        }

        // The evicted actor kept its count.
        Assert.Equal(2, await runtime.InvokeAsync<CounterActor, long>("b", (a, ct) => a.IncrementAsync(ct)));
    }

    [Fact]
    public async Task A_caller_that_resumes_finds_the_actor_idle_and_most_recently_used()
    {
        // Three actors in turn under a cap of two: each activation must evict the actor called two calls before, never
        // the one called just before (whose queue loop may still be finishing when its caller moves on).
        const int Calls = 150;
        await using var harness = new RuntimeHarness(o => o.MaxActiveActors = 2);
        var runtime = harness.Runtime;
        for (var i = 0; i < Calls; i++)
        {
            var key = "r" + (i % 3);
            await runtime.InvokeAsync<CounterActor, long>(key, (a, ct) => a.IncrementAsync(ct));
            Assert.True(IsIdle(runtime, new ActorId("counter", key)), $"{key} idle after call {i}");
            Assert.True(runtime.ActiveCount <= 2, $"ActiveCount {runtime.ActiveCount} after call {i}");
        }

        await Eventually.True(() => harness.Probe.Deactivations.Count == Calls - 2, "the evictions");
        Assert.Equal(
            Enumerable.Range(0, Calls - 2).Select(i => ("r" + (i % 3), DeactivationReason.Capacity)),
            harness.Probe.Deactivations);
    }

    private static bool IsIdle(ActorRuntime runtime, ActorId id) => runtime.Directory.TryGet(id, out var activation) && !activation.IsBusy;

    [Fact]
    public async Task Shutdown_deactivates_every_actor_after_its_queued_calls_and_then_refuses_calls()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        var keys = Enumerable.Range(0, 10).Select(i => "s" + i).ToList();
        await Task.WhenAll(keys.Select(k => runtime.InvokeAsync<CounterActor, long>(k, (a, ct) => a.IncrementAsync(ct))));
        Assert.Equal(10, runtime.ActiveCount);

        await runtime.StopAsync(CancellationToken.None);

        Assert.Equal(0, runtime.ActiveCount);
        foreach (var key in keys)
        {
            Assert.Equal([DeactivationReason.Shutdown], harness.Probe.DeactivationsOf(key));
            Assert.False(runtime.IsActive(new ActorId("counter", key)));
            Assert.Equal(1, (await harness.StateStore.LoadAsync(new ActorId("counter", key))).SnapshotVersion);
        }

        await Assert.ThrowsAsync<InvalidOperationException>(
            () => runtime.InvokeAsync<CounterActor, long>("s0", (a, ct) => a.IncrementAsync(ct)));
    }

    [Fact]
    public async Task Dispose_without_start_still_persists_the_actors()
    {
        var harness = new RuntimeHarness();
        await harness.Runtime.InvokeAsync<CounterActor, long>("p", (a, ct) => a.IncrementAsync(ct));
        await harness.DisposeAsync();

        Assert.Equal([DeactivationReason.Shutdown], harness.Probe.DeactivationsOf("p"));
        await Assert.ThrowsAsync<ObjectDisposedException>(
            () => harness.Runtime.InvokeAsync<CounterActor, long>("p", (a, ct) => a.IncrementAsync(ct)));
    }

    [Fact]
    public async Task DeactivateOnIdle_deactivates_after_the_current_call()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        var count = await runtime.InvokeAsync<CounterActor, long>("req", async (a, ct) =>
        {
            var n = await a.IncrementAsync(ct);
            a.Context.DeactivateOnIdle();
            return n;
        });
        Assert.Equal(1, count);

        await Eventually.True(() => !runtime.IsActive(new ActorId("counter", "req")), "requested deactivation");
        Assert.Equal([DeactivationReason.Requested], harness.Probe.DeactivationsOf("req"));
        Assert.Equal(2, await runtime.InvokeAsync<CounterActor, long>("req", (a, ct) => a.IncrementAsync(ct)));
        Assert.Equal(2, harness.Probe.Activations("req"));
    }

    [Fact]
    public async Task DeactivateOnIdle_without_persisting_skips_OnDeactivate_and_the_next_call_reloads_from_storage()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.InvokeAsync<CounterActor, long>("drop", (a, ct) => a.IncrementAsync(ct));
        var queued = runtime.InvokeAsync<CounterActor, long>("drop", (a, _) =>
        {
            a.Context.DeactivateOnIdle(persist: false);
            return a.GetAsync();
        });
        var next = runtime.InvokeAsync<CounterActor, long>("drop", (a, ct) => a.IncrementAsync(ct));

        Assert.Equal(1, await queued);
        Assert.Equal(2, await next); // reloaded from the journal by a fresh activation
        Assert.Empty(harness.Probe.DeactivationsOf("drop"));
        Assert.Equal(2, harness.Probe.Activations("drop"));
    }

    [Fact]
    public async Task DeactivateAsync_runs_after_queued_calls_and_later_calls_go_to_a_fresh_activation()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        var id = new ActorId("counter", "explicit");
        var first = runtime.InvokeAsync<CounterActor, long>("explicit", (a, ct) => a.IncrementAsync(ct));
        var deactivation = runtime.DeactivateAsync(id);
        var second = runtime.InvokeAsync<CounterActor, long>("explicit", (a, ct) => a.IncrementAsync(ct));

        Assert.Equal(1, await first);
        await deactivation;
        Assert.Equal(2, await second);
        Assert.Equal(2, harness.Probe.Activations("explicit"));
        Assert.Equal([DeactivationReason.Requested], harness.Probe.DeactivationsOf("explicit"));
        Assert.Equal(
            ["activate:explicit", "deactivate:explicit:Requested", "activate:explicit"],
            harness.Probe.Events.Where(e => e.EndsWith("explicit", StringComparison.Ordinal) || e.Contains("explicit:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task DeactivateAsync_from_the_actors_own_turn_is_refused()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.InvokeAsync<PlainActor, bool>(
            "own", async (a, ct) =>
            {
                await runtime.DeactivateAsync(a.Context.Id, ct);
                return true;
            }).WaitAsync(Eventually.Timeout));
    }

    [Fact]
    public async Task DeactivateAllAsync_deactivates_everything()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => runtime.InvokeAsync<CounterActor, long>("all" + i, (a, ct) => a.IncrementAsync(ct))));
        Assert.Equal(20, runtime.ActiveCount);

        await runtime.DeactivateAllAsync();

        Assert.Equal(0, runtime.ActiveCount);
        Assert.Equal(20, harness.Probe.Deactivations.Count);
    }
}
