/**
 * The reasons a loader or the batch stream skips an item. One vocabulary for every loader, so
 * `agekit data check` and the training log count the same things under the same names
 * (snake_case: they appear as keys of the `skipped` object in JSON reports).
 */
export const SKIP_REASONS = {
  /** The label file names an image that is not there. */
  missingFile: 'missing_file',
  /** The age cell is empty or not a number. */
  nonNumericAge: 'non_numeric_age',
  /** The age is a number outside 0..116. */
  ageOutOfRange: 'age_out_of_range',
  /** A label-file row with the wrong number of cells or an empty path. */
  malformedRow: 'malformed_row',
  /** A face box that is not four numbers with positive width and height. */
  badBox: 'bad_box',
  /** A UTKFace file name that does not start with `<age>_`. */
  badFileName: 'bad_file_name',
  /** The file exists but is not a decodable image (corrupt, truncated, not an image). */
  unreadableImage: 'unreadable_image',
  /** The face box lies entirely outside its image: any crop of it would be edge pixels and a garbage age. */
  boxOutsideImage: 'box_outside_image',
  /** A label file names a path outside its own folder (`../`, an absolute path, a symlink out): skipped unless allowed. */
  outsideFolder: 'outside_folder',
} as const;

export type SkipReason = (typeof SKIP_REASONS)[keyof typeof SKIP_REASONS];
