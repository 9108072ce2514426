/**
 * The settings of the authors' released code (`alasdairnewson/geometric_autoencoder`:
 * `geometric_autoencoder_keras.py`, `generate_data.py`, `image_utils.py`), each with the line
 * that sets it: the values of the `code` profile for the disk data sets and the disk
 * autoencoder's trainings. The paper's text disagrees with several of them (64×64 images, six
 * layers of depths 1 8 4 4 3 2 1, α = 0.2, lr 0.001, batch 300); which of the two made the
 * published figures is not stated, hence both profiles.
 *
 * What the code does not have keeps the paper's settings under `code`: the hole of
 * `data-hole` and the limit of `data-limited` (the code samples the full range only), the
 * bias-free ablations, ψ1, the denoising term and the λ of each regulariser (the code's one
 * `lambda_reg` flag defaults to 1.0, which the paper profile also uses). Every disk training
 * takes the code's architecture and training settings, including the contractive one, whose
 * term differs in form: the code averages the squared gradient of z over the pixels, ours
 * sums it (‖∂E/∂x‖²_F), so its λ = 1 weighs 3969 times more than the code's.
 *
 * @module
 */
import type { CodeValue } from "../../pipeline/stage.ts";
import type { DiskDatasetParams, TrainCodeValues } from "./train_stage.ts";

const KERAS = "geometric_autoencoder_keras.py";
const DATA = "generate_data.py";

/** Image side and the largest radius of the code's data: 63×63, r ~ U(0, 63/2). */
export const CODE_IMAGE_SIZE = 63;
/** `max_radius = np.min(np.asarray(img_size))/(2.0)`. */
export const CODE_RADIUS_MAX = CODE_IMAGE_SIZE / 2;

/**
 * The code's values for a disk data set whose paper range ends at `paperRadiusMax`: its
 * geometry and size; the range ends at the code's 31.5 where the paper's is the full 32, and
 * stays where the paper limits it (18).
 */
export function authorsCodeData(
  paperRadiusMax: number,
): Partial<Record<keyof DiskDatasetParams, CodeValue>> {
  return {
    size: { value: CODE_IMAGE_SIZE, source: `${DATA}: img_size = (63,63)` },
    // ((m − 1)/2, (m − 1)/2) = (31, 31) for m = 63: the centre on a pixel, as the code's grid
    // `range(-h_size, h_size + 1)` puts it; the empty value means exactly that.
    centre: {
      value: [],
      source: `${DATA}: X,Y = np.meshgrid(range(-h_size[1],(h_size[1]+1)), …), centre on pixel 31`,
    },
    count: { value: 1000, source: `${DATA}: n_images_train = 1000` },
    sigma: { value: 0.5, source: `${DATA}: sigma = 0.5` },
    samples: { value: 800, source: `${DATA}: N_monte_carlo = 800` },
    ...(paperRadiusMax > CODE_RADIUS_MAX
      ? {
        radiusMax: {
          value: CODE_RADIUS_MAX,
          source: `${DATA}: rand_radius = max_radius*np.random.rand(), max_radius = 63/2`,
        },
      }
      : {}),
    levels: {
      value: 255,
      source: "image_utils.py: write_image stores np.uint8(255·img) as PNG; read back as /255",
    },
  };
}

/**
 * The code's values for the test grid: its geometry and range (`radius_list =
 * np.linspace(0,max_radius,n_images_test)`, 300 radii). Our test images keep the exact blur
 * and float grey levels: they measure the model, not the sampling or the file format.
 */
export function authorsCodeTestData(): Partial<Record<keyof DiskDatasetParams, CodeValue>> {
  const { size, centre } = authorsCodeData(Infinity);
  return {
    size,
    centre,
    radiusMax: {
      value: CODE_RADIUS_MAX,
      source: `${DATA}: radius_list = np.linspace(0,max_radius,n_images_test), max_radius = 63/2`,
    },
    count: { value: 300, source: `${DATA}: n_images_test = 300` },
  };
}

/** The code's training settings of the disk autoencoder (`train_ae`, `create_ae_model`). */
export const AUTHORS_CODE_TRAINING: TrainCodeValues = {
  iterations: { value: 10_000, source: `${KERAS}: flags epochs = 10000, one update each` },
  batchSize: { value: 64, source: `${KERAS}: batch_size = 64` },
  learningRate: { value: 0.01, source: `${KERAS}: learning_rate = 0.01` },
  loss: {
    value: "mean",
    source: `${KERAS}: mse_loss = K.mean(K.square(input_ae - output_ae), axis=(0,1,2,3))`,
  },
  encoderDepths: {
    value: [1, 8, 4, 3, 2, 1],
    source: `${KERAS}: filter_sizes = (1, 8, 4, 3, 2, 1)`,
  },
  decoderDepths: {
    value: [1, 2, 3, 4, 8, 1],
    source: `${KERAS}: decoder loops over filter_sizes backwards`,
  },
  padding: { value: "valid", source: `${KERAS}: Conv2D(…, padding='valid'), Conv2DTranspose too` },
  alpha: { value: 0.05, source: `${KERAS}: alpha = 0.05, LeakyReLU after every layer` },
  latentActivation: { value: "leaky_relu", source: `${KERAS}: LeakyReLU after the code layer` },
  outputActivation: { value: "leaky_relu", source: `${KERAS}: LeakyReLU after the last layer` },
  batchDraw: {
    value: "subset",
    source:
      `${KERAS}: np.random.shuffle(data_inds); curr_batch = dataset_train[data_inds[0:batch_size]]`,
  },
  keepBest: {
    value: 500,
    source:
      `${KERAS}: step_size = 500; if (i%step_size==0) … if (curr_loss<best_loss): save_model_weights`,
  },
};
