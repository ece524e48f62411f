using MemoryFabric.Runtime.Tests.Actors;
using MemoryFabric.Runtime.Tests.Support;

namespace MemoryFabric.Runtime.Tests.Runtime;

public sealed class TimerTests
{
    [Fact]
    public async Task Timer_ticks_run_as_turns_of_the_actor()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.InvokeAsync<WorkActor, bool>("t", (a, _) =>
        {
            a.Context.RegisterTimer(
                async ct =>
                {
                    a.Enter();
                    try
                    {
                        await Task.Delay(5, ct);
                        a.TimerTicks++;
                    }
                    finally
                    {
                        a.Exit();
                    }
                },
                TimeSpan.FromSeconds(1),
                TimeSpan.FromSeconds(1));
            return Task.FromResult(true);
        });

        for (var i = 0; i < 3; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
            var expected = i + 1;
            await Eventually.TrueAsync(
                async () => await runtime.InvokeAsync<WorkActor, int>("t", (a, _) => a.RunAsync(x => Task.FromResult(x.TimerTicks))) == expected,
                $"tick {expected}");
        }

        // Calls interleave with ticks, never overlap.
        var calls = Enumerable.Range(0, 50).Select(i => runtime.InvokeAsync<WorkActor, int>("t", (a, _) => a.RecordAsync(i))).ToList();
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(calls);
        await Eventually.TrueAsync(
            async () => await runtime.InvokeAsync<WorkActor, int>("t", (a, _) => Task.FromResult(a.TimerTicks)) == 4,
            "tick 4");
        Assert.False(await runtime.InvokeAsync<WorkActor, bool>("t", (a, _) => Task.FromResult(a.Overlapped)));
    }

    [Fact]
    public async Task Timers_die_with_the_activation_and_do_not_keep_it_alive()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        await runtime.StartAsync(CancellationToken.None);
        var ticks = 0;
        var start = harness.Time.GetUtcNow();
        await runtime.InvokeAsync<WorkActor, bool>("dies", (a, _) =>
        {
            a.Context.RegisterTimer(_ =>
            {
                Interlocked.Increment(ref ticks);
                return Task.CompletedTask;
            }, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            return Task.FromResult(true);
        });

        // Idle timeout of 10 minutes: the minute timer ticks, yet the actor goes idle.
        for (var minute = 0; minute < 20 && runtime.IsActive(new ActorId("work", "dies")); minute++)
        {
            harness.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(20);
        }

        await Eventually.True(() => !runtime.IsActive(new ActorId("work", "dies")), "idle deactivation despite the timer");
        Assert.True(harness.Time.GetUtcNow() - start >= TimeSpan.FromMinutes(10));
        var seen = Volatile.Read(ref ticks);
        Assert.True(seen >= 5, $"ticks {seen}");

        for (var i = 0; i < 5; i++)
        {
            harness.Time.Advance(TimeSpan.FromMinutes(1));
        }

        await Eventually.Settle();
        Assert.Equal(seen, Volatile.Read(ref ticks));
        Assert.False(runtime.IsActive(new ActorId("work", "dies")));
    }

    [Fact]
    public async Task A_disposed_timer_stops_and_a_one_shot_timer_fires_once()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        var periodic = 0;
        var oneShot = 0;
        await runtime.InvokeAsync<WorkActor, bool>("d", (a, _) =>
        {
            var timer = a.Context.RegisterTimer(_ =>
            {
                Interlocked.Increment(ref periodic);
                return Task.CompletedTask;
            }, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            a.Context.RegisterTimer(_ =>
            {
                Interlocked.Increment(ref oneShot);
                timer.Dispose();
                return Task.CompletedTask;
            }, TimeSpan.FromSeconds(3), Timeout.InfiniteTimeSpan);
            return Task.FromResult(true);
        });

        for (var i = 0; i < 3; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
            await Eventually.True(() => Volatile.Read(ref periodic) == i + 1 || Volatile.Read(ref oneShot) == 1, "tick");
        }

        await Eventually.True(() => Volatile.Read(ref oneShot) == 1, "one-shot");
        var before = Volatile.Read(ref periodic);
        for (var i = 0; i < 5; i++)
        {
            harness.Time.Advance(TimeSpan.FromSeconds(1));
        }

        await Eventually.Settle();
        Assert.Equal(1, Volatile.Read(ref oneShot));
        Assert.Equal(before, Volatile.Read(ref periodic));
    }

    [Fact]
    public async Task A_failing_timer_does_not_kill_the_activation()
    {
        await using var harness = new RuntimeHarness();
        var runtime = harness.Runtime;
        var ticks = 0;
        await runtime.InvokeAsync<CounterActor, long>("ft", (a, ct) =>
        {
            a.Context.RegisterTimer(_ =>
            {
                Interlocked.Increment(ref ticks);
                throw new InvalidOperationException("timer failed");
            }, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            return a.IncrementAsync(ct);
        });

        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => Volatile.Read(ref ticks) == 1, "first tick");

        // A tick that comes while the previous one's turn is still running is skipped (ticks never overlap), so let
        // the failed turn finish first: a call queues behind it.
        await runtime.InvokeAsync<CounterActor, long>("ft", (a, _) => a.GetAsync());
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => Volatile.Read(ref ticks) == 2, "second tick");
        Assert.Equal(1, await runtime.InvokeAsync<CounterActor, long>("ft", (a, _) => a.GetAsync()));
        Assert.Equal(1, harness.Probe.Activations("ft"));
    }
}
