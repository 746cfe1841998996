using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Needle.Testing;

/// <summary>Real-time waits for something another thread or process brings about, bounded, failing with what was awaited.</summary>
public static class Eventually
{
    /// <summary>How long a wait lasts unless told: generous, since the test machine is shared.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(50);

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test with "Timed out waiting for {what}" if it does not in time.</summary>
    public static async Task WaitAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("Timed out waiting for " + what);
            }

            await Task.Delay(interval ?? s_interval);
        }
    }

    /// <inheritdoc cref="WaitAsync(Func{Task{bool}}, string, TimeSpan?, TimeSpan?)"/>
    public static Task WaitAsync(Func<bool> condition, string what, TimeSpan? timeout = null, TimeSpan? interval = null) =>
        WaitAsync(() => Task.FromResult(condition()), what, timeout, interval);

    /// <summary>Polls <paramref name="probe"/> until its value satisfies <paramref name="accept"/> and returns that value; on time-out the failure names the last value seen.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> accept, string what, TimeSpan? timeout = null, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var value = await probe();
            if (accept(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}; last seen: {value}");
            }

            await Task.Delay(interval ?? s_interval);
        }
    }
}
