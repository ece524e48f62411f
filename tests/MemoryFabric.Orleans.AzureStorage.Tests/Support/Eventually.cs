namespace MemoryFabric.Orleans.AzureStorage.Tests.Support;

/// <summary>Retries until a call succeeds or a condition holds, then fails with what it last saw.</summary>
internal static class Eventually
{
    public static async Task<T> SucceedsAsync<T>(Func<Task<T>> call, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (DateTime.UtcNow < deadline && e is not Xunit.Sdk.XunitException)
            {
                await Task.Delay(250);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new TimeoutException($"{what}: still failing after {seconds} s", e);
            }
        }
    }

    public static async Task HoldsAsync(Func<bool> condition, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: not true after {seconds} s");
            }

            await Task.Delay(100);
        }
    }
}
