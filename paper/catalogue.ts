/**
 * The paper catalogue as data: one entry per item of the reproduction spec
 * (`../shared/spec/REPRODUCTION.md`, relative to the repository root), keyed by the spec's item
 * id, plus the items that cannot be reproduced here and why.
 *
 * The statements are our own summaries of what each figure or table of the paper (Newson,
 * Almansa, Gousseau, Ladjal, "Processing Simple Geometric Attributes with Autoencoders") and of
 * the talk slides shows and claims. Sources are cited as `P§` (paper section), `P-Fig`, `P-Tab`,
 * `App.` (paper appendix) and `S<n>` (slide number). The stage that makes an item is named after
 * the item. The report (`stages/report/`) reads this file to lay out its sections.
 *
 * @module
 */

/** The three parts of the reproduction, in the order of the spec. */
export type Section = "size" | "position" | "pca";

/** One reproducible item of the catalogue. */
export interface CatalogueItem {
  /** The spec's item id, e.g. `ae-d1`; also the id of the stage that makes it. */
  readonly id: string;
  /** Which part of the paper or talk the item belongs to. */
  readonly section: Section;
  /** Where it appears: paper figures, tables, sections, slides (e.g. `P-Fig 2, S11`). */
  readonly source: string;
  /** A short title for headings. */
  readonly title: string;
  /** Our one-line statement of what the figure shows and what the paper claims from it. */
  readonly claim: string;
  /** Id of the stage that computes the item (by convention, the item id). */
  readonly stage: string;
  /** The check in words: the measured quantity, the bar and the comparison. */
  readonly check: string;
  /** Figure files the stage writes and the report shows first (more found beside them follow). */
  readonly figures: readonly string[];
  /** Markdown table files the stage writes, shown as tables (may be empty). */
  readonly tables: readonly string[];
  /**
   * Other stages that add checks and figures to the item, after its own: one per figure where
   * the item spans two (`reg-talk`, the talk's version of P-Fig 7). Usually empty.
   */
  readonly helpers: readonly string[];
  /**
   * Where the spec asks for the item when its item tables do not list it (e.g. the authors'
   * released model, named in the spec's section on the authors' code); absent for table items.
   */
  readonly origin?: string;
}

/** An item of the paper or talk that is listed but not reproduced, with the reason. */
export interface UnreproducibleItem {
  /** A short id, for anchors. */
  readonly id: string;
  /** Where it appears (slides, paper). */
  readonly source: string;
  /** What it is. */
  readonly what: string;
  /** Why it is out of reach here. */
  readonly reason: string;
}

/** Headings of the three sections, with their sources. */
export const SECTION_TITLES: Readonly<Record<Section, string>> = {
  size: "Size: disks (P§4, App. A–D; S8–S26)",
  position: "Position: Diracs (P§5; S28–S39)",
  pca: "PCA-like autoencoder (S40–S51)",
};

/** The order in which sections are shown. */
export const SECTION_ORDER: readonly Section[] = ["size", "position", "pca"];

/** Builds an entry whose stage is named after the item (the project's convention). */
function item(
  id: string,
  section: Section,
  source: string,
  title: string,
  claim: string,
  check: string,
  figures: readonly string[] = ["figure.png"],
  tables: readonly string[] = [],
  helpers: readonly string[] = [],
): CatalogueItem {
  return { id, section, source, title, claim, stage: id, check, figures, tables, helpers };
}

/** Every reproducible item of the spec, in the spec's order. */
export const CATALOGUE: readonly CatalogueItem[] = [
  // --- Size: disks -----------------------------------------------------------------------
  item(
    "arch",
    "size",
    "P-Fig 1, P-Tab 1, S9",
    "Disk autoencoder architecture",
    "Six 3×3 stride-2 convolutions with bias and leaky ReLU (α = 0.2) take a 64×64 image " +
      "through depths 1, 8, 4, 4, 3, 2, 1 down to a single scalar; the decoder mirrors them " +
      "with zero-insertion upsampling; Adam, learning rate 0.001, batch 300.",
    "diagram and parameter table generated from the configuration of the model actually " +
      "trained (layer shapes and parameter counts), never typed by hand",
    ["figure.png"],
    ["table.md"],
  ),
  item(
    "data",
    "size",
    "App. A, S8",
    "Training disks",
    "Training images are centred disks with radius drawn uniformly in (0, 32), blurred by a " +
      "small Gaussian (computed by Monte Carlo) so that size varies continuously.",
    "Monte Carlo and exact blur agree within the Monte Carlo noise; the radius histogram is " +
      "consistent with a uniform law",
  ),
  item(
    "ae-d1",
    "size",
    "P-Fig 2, S11",
    "Autoencoding disks with d = 1",
    "A code of a single scalar suffices: the autoencoder reconstructs disks of every radius.",
    "mean IoU of the thresholded output against the input over test radii 2–30 ≥ 0.9",
  ),
  item(
    "latent",
    "size",
    "P-Fig 3, S13, S21",
    "The latent space of disks",
    "Decoding evenly spaced codes between a small and a large disk gives a smooth sequence of " +
      "growing disks, and the code follows the disk's area rather than its radius.",
    "z monotone in r; the linear fit of z on r² has R² ≥ 0.99 and beats the fit of z on r",
  ),
  {
    ...item(
      "authors-model",
      "size",
      "the authors' code; P-Fig 2, P-Fig 3",
      "The checks of ae-d1 and latent on the authors' released model",
      "The authors released the weights of their code's default disk autoencoder (63×63 " +
        "images, five 'valid' 3×3 stride-2 convolutions with depths 1, 8, 4, 3, 2, 1 down to " +
        "d = 1, leaky ReLU α = 0.05, trained without regularisation on radii in (0, 31.5)). " +
        "If our checks measure what the paper claims, their model passes them.",
      "on 63×63 test disks centred on pixel 31: mean IoU of the thresholded output ≥ 0.9 over " +
        "test radii 2–30; z monotone in r; R² of z on r² ≥ 0.99 and above that on r; “not " +
        "available” when the weights file is absent",
      ["figure.png", "radius_vs_z.png"],
    ),
    origin: "spec §1, “The authors' code”: the released disk_example_model_weights.h5",
  },
  item(
    "weights",
    "size",
    "S12",
    "Learned 3×3 filters",
    "The trained filters, shown as they are: they do not explain the network by themselves, " +
      "which is why the paper turns to the latent space and to ablations.",
    "rendered (no numerical bar)",
  ),
  item(
    "nobias",
    "size",
    "P-Fig 4, P Prop. 1, S14–S15",
    "Autoencoder without biases",
    "Without biases the decoder is positively homogeneous, D(λz) = λD(z) for λ > 0, so every " +
      "output is one learned profile f scaled by an amplitude h(r).",
    "D(λz) = λD(z) for λ > 0 within float tolerance; the rank-1 share of the energy of the " +
      "matrix of output profiles (one row per radius) ≥ 0.99",
  ),
  item(
    "h-vs-z",
    "size",
    "P-Fig 11 (App. B)",
    "Code against optimal amplitude",
    "In the network without biases the code z is proportional to the optimal amplitude " +
      "C⟨f, 1_{B_r}⟩, f being the mean output profile, as the model y = h(r)·f(t) predicts.",
    "Pearson correlation of z with ⟨f, 1_{B_r}⟩ over the test radii ≥ 0.99",
  ),
  item(
    "airy",
    "size",
    "P-Fig 12, P Prop. 2 (App. B), S16–S18",
    "Learned profile, energy maximiser and Airy solution",
    "The profile learned without biases maximises J(f) = ∫₀ᴿ (∫₀ʳ f(ρ) ρ dρ)² dr under " +
      "‖f‖ = 1, whose maximiser solves Airy's equation f'' = −kρf with f'(0) = 0: training " +
      "reaches the optimum of a non-convex problem.",
    "after normalisation, relative L2 distance of the learned f to the numerical maximiser " +
      "≤ 0.1, and of the maximiser to the Airy solution ≤ 0.02",
  ),
  item(
    "limited",
    "size",
    "P-Fig 5",
    "Training on radii up to R only",
    "Trained only on radii up to R, the autoencoder does not extrapolate: it “seems to " +
      "project these disks onto smaller, observed, disks” (P§4.3) and “is not able to " +
      "extrapolate further than the largest observed radius” (P-Fig 5).",
    "over test radii r in (R, 30] (above 30 the disk touches the border): the radius of the " +
      "best-matching clean disk (argmin over r′ of ‖y − x_r′‖, exact blurred disks every " +
      "0.05 px) ≤ R + 1, and r̂ stops growing: the slope of the central-component r̂ against r " +
      "beyond R + 1 ≤ 0.2 (0 = stops, 1 = extrapolates); the radius giving the worst value of " +
      "each reported; the former check (largest r̂ over every r > R ≤ R + 1) kept as a " +
      "reported row; and, for the claim to mean anything, the network reconstructs the radii it " +
      "saw (P§4.3's green-bordered disks): mean |r̂ − r| over seen test radii ≤ 1 px",
    ["figure.png", "radius.png"],
  ),
  item(
    "limited-nobias",
    "size",
    "App. C, P-Fig 13",
    "Limited radii without biases",
    "Without biases and with training radii up to R = 18, the learned profile f only extends " +
      "to R, which explains why larger disks cannot be produced.",
    "|f| below 5% of its maximum beyond R + 2",
  ),
  item(
    "hole",
    "size",
    "P-Fig 6, S22–S23",
    "A hole in the training radii",
    "With radii 11–18 left out of training, “in the unknown regions the network is unable to " +
      "recreate the input disks” (P§4.4 on P-Fig 6): the network does not interpolate.",
    "per unregularised seed (the 5 runs of reg; 2 in a quick run), mean reconstruction error " +
      "for radii in the hole ≥ 3 × the error outside it; passes when a strict majority of the " +
      "seeds fail so (3 of 5); reported: per-radius error curves with the outside level, the " +
      "share of hole radii whose output fails (IoU < 0.9 or r̂ off by > 1 px), the inner hole " +
      "[12, 17] against same-sized neighbours [5, 10] and [19, 24], the hole's share of the z " +
      "range against its share of the area range; the former check (seed 1 alone) kept as a " +
      "reported row",
    ["figure.png", "error.png", "latent.png"],
    ["table.md"],
  ),
  item(
    "reg",
    "size",
    "P-Fig 7, S24–S26",
    "Regularising across the hole",
    "Regularised latent spaces are “consistently smoother than the unregularised version, " +
      "which can produce incoherent latent spaces” (P-Fig 7); weight decay on the encoder " +
      "only (ψ3) “works particularly well” (P§4.4), with a smooth code following the area; " +
      "preserving latent distances (ψ1) does not help, and decay on both halves (ψ2) is smooth " +
      "but blurry.",
    "ψ3's z(r) monotone across the hole in every seed, and ψ3's median roughness of z(r) " +
      "(total variation of dz/dr in units of its mean slope) below the unregularised median, " +
      "over 5 seeds each (2 in a quick run); reported: ψ3's median hole error relative to the " +
      "unregularised median, whether it is “well below” (under half; not testable when most " +
      "unregularised runs do not fail like P-Fig 6), each regulariser's hole error over its " +
      "seeds (none, ψ1, ψ2, ψ3, denoising, contractive), and the former check (ψ3's worst hole " +
      "error ÷ the best unregularised one < 0.5) as a reported row",
    ["figure.png", "outputs.png"],
    ["table.md"],
    // P-Fig 7 (none, ψ1, ψ2, ψ3) is `reg`'s; S25–S26 with the denoising term is `reg-talk`'s.
    ["reg-talk"],
  ),
  item(
    "lambda",
    "size",
    "P-Fig 8",
    "Strength of the encoder regulariser",
    "Raising the weight λ of ψ3 from 0.1 to 100 makes the latent curve smoother, until the " +
      "largest value breaks training.",
    "smoothness of the latent curve rises with λ; at the largest λ the reconstruction collapses",
    ["figure.png", "latent.png"],
    ["table.md"],
  ),
  item(
    "dcgan",
    "size",
    "App. D, P-Fig 14",
    "DCGAN on the hole dataset",
    "A DCGAN with a scalar latent trained on the same hole dataset cannot produce the missing " +
      "radii either: the failure to generalise is not peculiar to autoencoders.",
    "error of the best projection onto the generator's range inside the hole ≥ 3 × outside",
  ),
  // --- Position: Diracs ------------------------------------------------------------------
  item(
    "table2",
    "position",
    "P-Tab 2, S31",
    "Hand-crafted position encoder on size 8",
    "Filtering with [1, 2, 1] and keeping even positions, three times, with neither bias nor " +
      "non-linearity, maps the one-hot vector at position a (size 8) to 8 − a.",
    "u(1), u(2), u(3) equal the paper's table exactly, entry by entry (S31 prints the same " +
      "table with every vector written right to left)",
    [],
    ["table2.md", "table2_slides.md"],
  ),
  item(
    "prop3",
    "position",
    "P Prop. 3, S32–S37",
    "Position extraction for any depth",
    "The same cascade with L layers maps the one-hot vector at position a of size 2^L to " +
      "2^L − a, for every a: position is read out exactly by a linear network.",
    "E_L(δ_a) = 2^L − a exactly, for every a and every L from 1 to 10",
    [],
    ["prop3.md"],
  ),
  item(
    "enc-weights",
    "position",
    "P-Fig 9, S38",
    "Filters learned by a position encoder",
    "A position encoder trained by gradient descent (depth 1, six layers, n = 64, biases and " +
      "leaky ReLU allowed) finds filters proportional to [1, 2, 1].",
    "a majority of the seeds of the encoder trained by direct regression find it: every " +
      "layer's filter has cosine similarity ≥ 0.95 with ±[1, 2, 1] (P§5.3: training \"leads to " +
      'the hand-crafted weights in practice"); run 0 and the autoencoder route reported',
  ),
  item(
    "dec",
    "position",
    "P-Fig 10, S39",
    "Decoding a position into a Dirac",
    "A decoder with depths 1, 2, 4, 4, 4, 8 trained on triangular Diracs at continuous " +
      "positions turns a scalar into a Dirac that moves steadily as the scalar increases.",
    "a majority of seeds decode every position: the argmax of each output within 1 sample of " +
      "the position that z decodes to, over the whole range (run 0 reported)",
  ),
  item(
    "dec-onehot",
    "position",
    "P§5.4, S39",
    "Decoding trained on one-hot Diracs",
    "Trained only on one-hot Diracs at integer positions, the same decoder interpolates " +
      "unreliably between them: the positions must be sampled continuously.",
    "the argmax error of `dec`, reported; expected clearly worse than with triangular Diracs",
  ),
  // --- PCA-like autoencoder --------------------------------------------------------------
  item(
    "ellipses",
    "pca",
    "S48",
    "Ellipse dataset",
    "Centred, blurred ellipses with three parameters: two semi-axes and a rotation.",
    "rendered (no numerical bar)",
  ),
  item(
    "pca-arch",
    "pca",
    "S45–S47",
    "PCA-like autoencoder architecture",
    "The code grows one component at a time: a new one-dimensional encoder per component, the " +
      "earlier encoders frozen, a fresh decoder each time, zero-mean codes by batch " +
      "normalisation and a covariance penalty between the newest component and the others.",
    "diagram generated from the configuration that is trained",
  ),
  item(
    "nav-ae",
    "pca",
    "S49",
    "Latent navigation, standard autoencoder",
    "Moving along one axis of a standard autoencoder's three-dimensional code changes several " +
      "attributes of the ellipse at once.",
    "rendered (no numerical bar)",
  ),
  item(
    "nav-pca",
    "pca",
    "S49",
    "Latent navigation, PCA-like autoencoder",
    "With the PCA-like autoencoder the code components are decorrelated and ordered: the " +
      "first follows the ellipse's area, and each axis changes one attribute.",
    "every off-diagonal |correlation| between code components ≤ 0.1; |Pearson(z1, area)| ≥ " +
      "0.95 (the authors' notebook reports 0.977)",
  ),
  item(
    "grey",
    "pca",
    "S50",
    "Disks with varying grey level",
    "On disks varying in radius and grey level the PCA-like autoencoder does not learn the " +
      "second axis well: a failure case shown in the talk.",
    "the same correlations as `nav-pca`, reported; the failure is the expected finding",
  ),
];

/** Items of the talk and paper kept on the list but out of reach here (spec §5). */
export const UNREPRODUCIBLE: readonly UnreproducibleItem[] = [
  {
    id: "corpus-callosum",
    source: "S53–S55",
    what: "Application of the PCA-like autoencoder to the shape of the corpus callosum",
    reason: "needs segmented brain MRI (the ABIDE database), which cannot be fetched here",
  },
  {
    id: "real-nvp",
    source: "S6, S20",
    what: "Real NVP samples (Dinh et al., 2016)",
    reason: "another work's figure, cited in the talk, not a result of the paper",
  },
  {
    id: "coordconv",
    source: "S29",
    what: "CoordConv (Liu et al., 2018)",
    reason: "another work's figure, cited in the talk, not a result of the paper",
  },
  {
    id: "fader-igan",
    source: "S41–S42",
    what: "Fader networks (Lample et al., 2017) and iGAN (Zhu et al., 2016)",
    reason: "other works' figures, cited in the talk, not results of the paper",
  },
  {
    id: "scaled-mnist",
    source: "S19",
    what: "Scaled MNIST",
    reason: "future work in the talk, with no result to compare against; a later extension",
  },
];

/** Returns the catalogue entry of an item id; throws for an unknown id. */
export function catalogueItem(id: string): CatalogueItem {
  const found = CATALOGUE.find((entry) => entry.id === id);
  if (!found) {
    throw new Error(
      `Cannot find catalogue item "${id}": it is not in paper/catalogue.ts; ` +
        `use one of ${CATALOGUE.map((entry) => entry.id).join(", ")}`,
    );
  }
  return found;
}
