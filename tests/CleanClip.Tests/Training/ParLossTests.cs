using CleanClip.Training.Losses;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CleanClip.Tests.Training;

/// <summary>PAR's objective on embeddings small enough to work out by hand (docs/par.md §1).</summary>
public class ParLossTests
{
    // Two pairs of 2-d unit embeddings, logit scale 0 (s = e^0 = 1).
    //   model images  u = (1,0), (0,1)    frozen images v = (0,1), (0,1)
    //     ‖u₀ − v₀‖² = 1² + (−1)² = 2, ‖u₁ − v₁‖² = 0, so d_image = (2 + 0) / 2 = 1
    //   model texts   t = (1,0), (0,1)    frozen texts  r = (−1,0), (0,1)
    //     ‖t₀ − r₀‖² = 2² + 0² = 4,  ‖t₁ − r₁‖² = 0, so d_text = (4 + 0) / 2 = 2
    // The CLIP term of I = T = identity rows at s = 1 is log(1 + e^−1) (LossTests.HandComputedTwoByTwoCase).
    private static readonly double Clip = Math.Log(1 + Math.Exp(-1));

    // fp32 arithmetic on these exact inputs: the distances are exact, the CLIP term is off by a few ulps of 0.31.
    private const double Tolerance = 1e-6;

    private static (Tensor U, Tensor V, Tensor T, Tensor R) Embeddings() =>
        (Matrix(1, 0, 0, 1), Matrix(0, 1, 0, 1), Matrix(1, 0, 0, 1), Matrix(-1, 0, 0, 1));

    private static Tensor Matrix(params float[] rows) => torch.tensor(rows, [2, 2]);

    [Theory]
    // τ = 2.15 (the default): both towers below it, P = ½(1 + 2) = 1.5, total = log(1 + e^−1) − 1.5.
    [InlineData(2.15, 1, 1, 1.5)]
    // τ = 1.5: d_text = 2 > τ is dropped, P = ½(1 + 0) = 0.5.
    [InlineData(1.5, 1, 1, 0.5)]
    // τ = 1: d_image = 1 is not above τ and counts (the authors drop only d > τ), P = ½(1 + 0) = 0.5.
    [InlineData(1.0, 1, 1, 0.5)]
    // τ = 0.5: both dropped, P = 0 and the total is the CLIP term alone.
    [InlineData(0.5, 1, 1, 0.0)]
    // λ1 = 2, w = 0.5 at τ = 2.15: total = 2·log(1 + e^−1) − 0.5·1.5.
    [InlineData(2.15, 2, 0.5, 1.5)]
    public void HandComputedTerms(double tau, double clipWeight, double perturbationWeight, double perturbation)
    {
        using var scope = NewDisposeScope();
        var (u, v, t, r) = Embeddings();
        var terms = new ParObjective(clipWeight, perturbationWeight, tau).Compute(u, t, v, r, torch.tensor(0f));
        Assert.Equal(1.0, terms.ImageDistance.item<float>(), Tolerance);
        Assert.Equal(2.0, terms.TextDistance.item<float>(), Tolerance);
        Assert.Equal(perturbation, terms.Perturbation.item<float>(), Tolerance);
        Assert.Equal(Clip, terms.Clip.item<float>(), Tolerance);
        Assert.Equal(clipWeight * Clip - perturbationWeight * perturbation, terms.Total.item<float>(), Tolerance);
    }

    [Fact]
    public void TheGradientPushesAwayBelowTauAndVanishesAboveIt()
    {
        using var scope = NewDisposeScope();
        var (u, v, t, r) = Embeddings();
        u.requires_grad = true;
        t.requires_grad = true;
        var objective = new ParObjective(Tau: 1.5);
        // ∂P/∂u = ½ · ∂d_image/∂u = ½ · 2(u − v)/B = (u − v)/2: row 0 (1, −1)/2, row 1 zero. Minimising −P moves u along
        // +(u − v), away from the frozen embedding. d_text = 2 > τ = 1.5 is dropped, so the texts get nothing from P.
        objective.Compute(u, t, v, r, torch.tensor(0f)).Perturbation.backward();
        Assert.Equal(new float[] { 0.5f, -0.5f, 0, 0 }, u.grad!.data<float>().ToArray());
        Assert.Equal(new float[] { 0, 0, 0, 0 }, t.grad!.data<float>().ToArray());
        // The temperature is not trained by PAR: the CLIP term sees the logit scale detached.
        var scale = torch.tensor(0f, requires_grad: true);
        objective.Compute(u, t, v, r, scale).Total.backward();
        Assert.Null(scale.grad);
    }

    [Fact]
    public void EmbeddingsOfDifferentShapesAreRefused()
    {
        using var scope = NewDisposeScope();
        var error = Assert.Throws<ArgumentException>(() => ParLoss.Distance(torch.zeros(2, 3), torch.zeros(2, 4)));
        Assert.Contains("differ in shape", error.Message);
    }
}
