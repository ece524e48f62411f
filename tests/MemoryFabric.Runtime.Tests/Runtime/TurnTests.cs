using MemoryFabric.Runtime.Tests.Actors;
using MemoryFabric.Runtime.Tests.Support;

namespace MemoryFabric.Runtime.Tests.Runtime;

#pragma warning disable CA1001 // Disposed by IAsyncLifetime.DisposeAsync.
public sealed class TurnTests : IAsyncLifetime
#pragma warning restore CA1001
{
    private readonly RuntimeHarness _harness = new();

    private ActorRuntime Runtime => _harness.Runtime;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task Calls_to_one_actor_run_one_at_a_time_in_the_order_they_were_made()
    {
        var calls = Enumerable.Range(0, 300)
            .Select(i => Runtime.InvokeAsync<WorkActor, int>("one", (a, _) => a.RecordAsync(i)))
            .ToList();
        await Task.WhenAll(calls);

        var (seen, overlapped) = await Runtime.InvokeAsync<WorkActor, (List<int>, bool)>(
            "one", (a, _) => Task.FromResult((a.Seen.ToList(), a.Overlapped)));
        Assert.False(overlapped);
        Assert.Equal(Enumerable.Range(0, 300), seen);
    }

    [Fact]
    public async Task Calls_from_many_threads_never_overlap_and_all_run()
    {
        var callers = Enumerable.Range(0, 16).Select(t => Task.Run(async () =>
        {
            var mine = Enumerable.Range(0, 50)
                .Select(i => Runtime.InvokeAsync<WorkActor, int>("shared", (a, _) => a.RecordAsync((t * 1000) + i)))
                .ToList();
            await Task.WhenAll(mine);
        }));
        await Task.WhenAll(callers);

        var (seen, overlapped) = await Runtime.InvokeAsync<WorkActor, (List<int>, bool)>(
            "shared", (a, _) => Task.FromResult((a.Seen.ToList(), a.Overlapped)));
        Assert.False(overlapped);
        Assert.Equal(16 * 50, seen.Count);
        for (var t = 0; t < 16; t++)
        {
            // Each thread's calls were made in order, so they ran in order.
            var thread = seen.Where(v => v / 1000 == t).ToList();
            Assert.Equal(Enumerable.Range(t * 1000, 50), thread);
        }
    }

    [Fact]
    public async Task Different_actors_run_in_parallel()
    {
        var bStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // A's turn waits for B's turn to start: if actors were serialized, this would never complete.
        var a = Runtime.InvokeAsync<WorkActor, int>("a", async (actor, ct) =>
        {
            await bStarted.Task.WaitAsync(Eventually.Timeout, ct);
            return 1;
        });
        var b = Runtime.InvokeAsync<WorkActor, int>("b", (actor, _) =>
        {
            bStarted.SetResult();
            return Task.FromResult(2);
        });

        Assert.Equal(new[] { 1, 2 }, await Task.WhenAll(a, b));
    }

    [Fact]
    public async Task An_exception_reaches_the_caller_and_the_activation_lives_on()
    {
        var instance = await Runtime.InvokeAsync<CounterActor, Guid>("c", (a, _) => Task.FromResult(a.Instance));
        await Runtime.InvokeAsync<CounterActor, long>("c", (a, ct) => a.IncrementAsync(ct));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Runtime.InvokeAsync<CounterActor, long>("c", (a, _) => a.FailAsync()));
        Assert.Equal("boom", error.Message);

        Assert.Equal(instance, await Runtime.InvokeAsync<CounterActor, Guid>("c", (a, _) => Task.FromResult(a.Instance)));
        Assert.Equal(1, await Runtime.InvokeAsync<CounterActor, long>("c", (a, _) => a.GetAsync()));
        Assert.Equal(1, _harness.Probe.Activations("c"));
    }

    [Fact]
    public async Task A_synchronous_throw_in_the_call_delegate_is_reported_like_any_failure()
    {
        await Assert.ThrowsAsync<ArgumentException>(
            () => Runtime.InvokeAsync<WorkActor, int>("w", (_, _) => throw new ArgumentException("bad")));
        Assert.Equal(5, await Runtime.InvokeAsync<WorkActor, int>("w", (a, _) => a.RecordAsync(5)));
    }

    [Fact]
    public async Task A_call_cancelled_while_waiting_is_removed_from_the_queue()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocker = Runtime.InvokeAsync<WorkActor, int>("q", async (a, _) =>
        {
            entered.SetResult();
            await release.Task;
            return 0;
        });
        await entered.Task.WaitAsync(Eventually.Timeout);

        using var cts = new CancellationTokenSource();
        var ran = false;
        var waiting = Runtime.InvokeAsync<WorkActor, int>("q", (a, _) =>
        {
            ran = true;
            return Task.FromResult(1);
        }, cts.Token);
        var after = Runtime.InvokeAsync<WorkActor, int>("q", (a, _) => Task.FromResult(2));

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.True(waiting.IsCanceled);

        release.SetResult();
        Assert.Equal(0, await blocker);
        Assert.Equal(2, await after);
        Assert.False(ran);
    }

    [Fact]
    public async Task The_call_token_reaches_the_call()
    {
        using var cts = new CancellationTokenSource();
        var token = await Runtime.InvokeAsync<WorkActor, CancellationToken>("t", (_, ct) => Task.FromResult(ct), cts.Token);
        Assert.Equal(cts.Token, token);
    }

    [Fact]
    public async Task A_call_from_an_actor_to_itself_throws_instead_of_deadlocking()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Runtime.InvokeAsync<CounterActor, long>("self", (a, ct) => a.CallSelfAsync(ct)).WaitAsync(Eventually.Timeout));
        Assert.Contains("counter:self", error.Message, StringComparison.Ordinal);
        Assert.Contains("reentrant", error.Message, StringComparison.Ordinal);

        // The actor is fine afterwards.
        Assert.Equal(1, await Runtime.InvokeAsync<CounterActor, long>("self", (a, ct) => a.IncrementAsync(ct)));
    }

    [Fact]
    public async Task A_call_cycle_across_actors_throws_instead_of_deadlocking()
    {
        Assert.Equal("pong", await Runtime.InvokeAsync<PingActor, string>("x", (a, ct) => a.PingAsync(callBack: false, ct)));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Runtime.InvokeAsync<PingActor, string>("x", (a, ct) => a.PingAsync(callBack: true, ct)).WaitAsync(Eventually.Timeout));
        Assert.Contains("ping:x -> pong:x -> ping:x", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Work_an_actor_starts_and_leaves_running_may_call_it_after_the_turn()
    {
        var turnOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var background = await Runtime.InvokeAsync<CounterActor, Task<long>>("bg", (a, _) =>
        {
            // Fire and forget: calls the actor once this turn is over, so it is not reentrant.
            var later = Task.Run(async () =>
            {
                await turnOver.Task;
                return await a.Context.Actors.InvokeAsync<CounterActor, long>("bg", (self, ct) => self.IncrementAsync(ct));
            });
            return Task.FromResult(later);
        });

        turnOver.SetResult();
        Assert.Equal(1, await background.WaitAsync(Eventually.Timeout));
    }

    [Fact]
    public async Task Actors_can_be_called_through_an_interface_they_implement()
    {
        Assert.Equal(1, await Runtime.InvokeAsync<ICounter, long>("i", (c, ct) => c.IncrementAsync(ct)));
        Assert.True(Runtime.IsActive(new ActorId("counter", "i")));
    }

    [Fact]
    public async Task The_no_result_overload_runs_a_turn()
    {
        await Runtime.InvokeAsync<CounterActor>("v", async (c, ct) => await c.IncrementAsync(ct));
        Assert.Equal(1, await Runtime.InvokeAsync<CounterActor, long>("v", (c, _) => c.GetAsync()));
    }

    [Fact]
    public async Task An_unregistered_actor_class_is_refused()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Runtime.InvokeAsync<TurnTests, int>("k", (_, _) => Task.FromResult(0)));
        Assert.Contains("No actor class is registered", error.Message, StringComparison.Ordinal);
    }
}
