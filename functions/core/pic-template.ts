/** A client's named PicProcess rule, which jobs may use by id (they copy its rule when submitted). */
export interface PicTemplate {
  readonly clientId: string;
  readonly templateId: string;
  readonly name: string;
  readonly tag: 'PicProcess';
  readonly isPicInfo: boolean;
  readonly processRule: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}
