using Microsoft.Playwright;

namespace Needle.Console.Tests.Infrastructure;

/// <summary>
/// Replaces the text of the console's source editor (CodeMirror) the way a user does: select all with the keyboard,
/// then type. Playwright's <c>FillAsync</c> selects the editable DOM and inserts; CodeMirror learns of that selection
/// from an asynchronous selection event, and on a loaded machine it inserted before reading it, so the new text landed
/// in front of the old (CI of session 10's stop, stop 24: "Duplicate export of 'default'"). Select-all through the editor's own key binding
/// changes its state at once; the editor's text is then checked, and the replacement repeated if it did not take.
/// </summary>
internal static class CodeEditor
{
    private const int Attempts = 3;

    public static async Task ReplaceAsync(IPage page, string text)
    {
        var content = page.Locator(".cm-content");
        var shown = "";
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            await content.FocusAsync();
            await page.Keyboard.PressAsync("ControlOrMeta+A");
            await page.Keyboard.InsertTextAsync(text);
            shown = await content.InnerTextAsync();
            if (Normalize(shown) == Normalize(text))
            {
                return;
            }
        }

        Assert.Fail($"The editor did not take the new source after {Attempts} attempts; it shows:\n{shown}");
    }

    /// <summary>The text as the editor's lines show it: line ends unified, trailing blanks and empty last lines dropped.</summary>
    private static string Normalize(string text) =>
        string.Join('\n', text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n').Select(line => line.TrimEnd())).TrimEnd('\n');
}
